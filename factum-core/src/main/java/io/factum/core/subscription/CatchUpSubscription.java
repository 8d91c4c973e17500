package io.factum.core.subscription;

import io.factum.api.BatchingEventHandler;
import io.factum.api.EventHandler;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.Subscription;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One subscription and its thread: read a page after the cursor, hand its events to the handler,
 * advance; when a page comes back short the subscription is live and sleeps until the store says the
 * head moved (or the poll interval passes), then reads again.
 *
 * <p>Always reading from the store, rather than having writers push events into per-subscriber
 * queues, is what makes the guarantees simple: no gap or duplicate at the catch-up/live switch (there
 * is no switch, only shorter pages), memory bounded by one page, writers never blocked, and a slow
 * subscriber is never dropped — it is just further behind on the same loop.
 *
 * <p>The thread is never interrupted: an interrupt closes NIO channels a handler may be using.
 */
final class CatchUpSubscription implements Subscription, Runnable {

  private static final System.Logger LOG = System.getLogger(CatchUpSubscription.class.getName());
  private static final long MAX_RETRY_DELAY_MILLIS = 5_000;

  private final Feed feed;
  private final EventHandler handler;
  private final BatchingEventHandler batching;
  private final SubscriptionSettings settings;
  private final SubscriptionEngine engine;
  private final WakeSignal signal = new WakeSignal();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final String name;
  private volatile Thread thread;
  private volatile boolean closing;
  private volatile State state = State.CATCHING_UP;
  private volatile Throwable failure;

  CatchUpSubscription(String name, Feed feed, EventHandler handler, SubscriptionSettings settings, SubscriptionEngine engine) {
    this.name = name;
    this.feed = feed;
    this.handler = handler;
    this.batching = handler instanceof BatchingEventHandler ? (BatchingEventHandler) handler : null;
    this.settings = settings;
    this.engine = engine;
  }

  void start() {
    Thread t = new Thread(this, name);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  Feed feed() {
    return feed;
  }

  void wake() {
    signal.wake();
  }

  @Override
  public void run() {
    long retryDelay = 10;
    try {
      while (!closing) {
        signal.clear();
        Feed.Step step;
        try {
          step = feed.next(settings.pageSize());
          retryDelay = 10;
        } catch (StoreClosedException e) {
          return;
        } catch (RuntimeException e) {
          // A read failure (database restarting, I/O hiccup) is the store's problem, not the handler's:
          // keep the position and retry with backoff instead of failing the subscription.
          LOG.log(Level.WARNING, name + ": reading the store failed; retrying in " + retryDelay + " ms", e);
          signal.await(retryDelay, TimeUnit.MILLISECONDS);
          retryDelay = Math.min(retryDelay * 2, MAX_RETRY_DELAY_MILLIS);
          continue;
        }
        state = step.reachedEnd() ? State.LIVE : State.CATCHING_UP;
        if (batching != null) {
          if (!deliverBatch(step)) {
            return;
          }
        } else {
          for (RecordedEvent event : step.events()) {
            if (closing) {
              return;
            }
            try {
              handler.handle(event);
            } catch (Throwable t) {
              fail(t);
              return;
            }
            feed.delivered(event);
          }
          feed.completed(step);
        }
        if (step.reachedEnd() && !closing) {
          signal.await(settings.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
        }
      }
    } catch (Throwable t) {
      // An Error while reading (out of memory on a page of large events, say) or a defect: the
      // subscription fails visibly instead of ending as if it had been closed.
      fail(t);
    } finally {
      if (state != State.FAILED) {
        state = State.CLOSED;
        stopped.complete(null);
      }
      engine.remove(this);
    }
  }

  /**
   * Delivers a page to a {@link BatchingEventHandler}: every event, then {@code endOfBatch}; the
   * position moves only after that returns, so a failed batch is delivered again whole.
   *
   * @return whether to go on
   */
  private boolean deliverBatch(Feed.Step step) {
    long before = feed.position();
    RecordedEvent last = null;
    for (RecordedEvent event : step.events()) {
      if (closing) {
        return false; // the page was not committed: its events come again after a restart
      }
      try {
        batching.handle(event);
      } catch (Throwable t) {
        fail(t);
        return false;
      }
      last = event;
    }
    long after = Math.max(last == null ? before : last.globalPosition(), step.scannedThrough());
    if (last == null && after <= before) {
      return true; // nothing new to commit
    }
    try {
      batching.endOfBatch(after);
    } catch (Throwable t) {
      fail(t);
      return false;
    }
    if (last != null) {
      feed.delivered(last);
    }
    feed.completed(step);
    return true;
  }

  private void fail(Throwable t) {
    failure = t;
    state = State.FAILED;
    stopped.completeExceptionally(t);
  }

  @Override
  public long lastPosition() {
    return feed.position();
  }

  @Override
  public boolean isLive() {
    return state == State.LIVE;
  }

  @Override
  public State state() {
    return state;
  }

  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public CompletionStage<Void> stopped() {
    return stopped.minimalCompletionStage();
  }

  @Override
  public void close() {
    stopSoon();
    awaitStopped(System.nanoTime() + settings.closeTimeout().toNanos());
  }

  /** Tells the subscription to stop after the event its handler is in, without waiting for it. */
  void stopSoon() {
    closing = true;
    signal.wake();
  }

  /** Waits until the subscription's thread has ended or {@code deadlineNanos} ({@link System#nanoTime}) passed. */
  void awaitStopped(long deadlineNanos) {
    Thread t = thread;
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    try {
      long left = deadlineNanos - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (t.isAlive()) {
      LOG.log(Level.WARNING, name + ": the handler did not return within " + settings.closeTimeout()
          + "; it will not be called again once it does");
    }
  }

  @Override
  public String toString() {
    return name + "[" + state + ", position " + feed.position() + "]";
  }
}
