package io.factum.core.projection;

import io.factum.api.BatchingEventHandler;
import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs projections, each on its own subscription from its own position: a page of events at a time
 * is handed to {@link Projection#apply} as one batch (fast catch-up, one transaction per page for
 * {@link JdbcProjection}).
 *
 * <p>When a batch fails, the event at fault is found — named by the projection ({@link
 * EventApplyException}), or, for an atomic batch, by applying it again event by event, which also
 * commits the events before it. The projection then stops, {@link ProjectionStatus.State#FAULTED},
 * with the error and the event in its status. It never skips the event; {@link #restart} tries again
 * from it. {@link #reset} rebuilds a projection from the first event. Thread-safe.
 */
public final class ProjectionRunner implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ProjectionRunner.class.getName());

  private final EventStore store;
  private final Map<String, Running> projections = new ConcurrentHashMap<>();

  public ProjectionRunner(EventStore store) {
    this.store = store;
  }

  /** Adds a projection and starts it from its position. */
  public void start(Projection projection) {
    Running r = new Running(projection);
    if (projections.putIfAbsent(projection.name(), r) != null) {
      throw new IllegalArgumentException("A projection named '" + projection.name() + "' is already running");
    }
    r.start();
  }

  /** The status of one projection. */
  public ProjectionStatus status(String name) {
    return running(name).status(store.headPosition());
  }

  /** The status of every projection, by name. */
  public List<ProjectionStatus> statuses() {
    long head = store.headPosition();
    return projections.values().stream().map(r -> r.status(head)).sorted(java.util.Comparator.comparing(ProjectionStatus::name)).toList();
  }

  /** Stops a projection; {@link #restart} resumes it. */
  public void stop(String name) {
    running(name).stop();
  }

  /**
   * Starts a stopped or faulted projection again from its position (retrying a failed event).
   *
   * @throws IllegalStateException when called from the projection's own batch, or when a batch it was
   *     applying has not finished within the stop's wait: two batches never run at once
   */
  public void restart(String name) {
    Running r = running(name);
    r.stopBefore("restart");
    r.start();
  }

  /**
   * Stops a projection, deletes its read model and position, and rebuilds it from the first event.
   *
   * @throws IllegalStateException as {@link #restart}: a batch still being applied could otherwise
   *     commit on top of the emptied read model
   */
  public void reset(String name) throws Exception {
    Running r = running(name);
    r.stopBefore("reset");
    r.projection.reset();
    r.start();
  }

  /** Stops every projection, all at once (batches being applied are finished first). */
  @Override
  public void close() {
    List<Thread> stopping = new ArrayList<>();
    for (Running r : projections.values()) {
      if (Thread.currentThread() == r.applying) {
        r.stop(); // closed from this projection's own batch: it stops once the batch returns
        continue;
      }
      Thread t = new Thread(r::stop, "factum-projection-stop-" + r.projection.name());
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private Running running(String name) {
    Running r = projections.get(name);
    if (r == null) {
      throw new NoSuchElementException("No projection named '" + name + "'; running: " + projections.keySet());
    }
    return r;
  }

  /** One projection's subscription and status. */
  private final class Running {
    final Projection projection;
    private volatile Subscription subscription;
    /** The thread applying the current subscription's batches. */
    private volatile Thread applying;
    private volatile ProjectionStatus.State state = ProjectionStatus.State.STOPPED;
    private volatile long position;
    private volatile String lastError;
    private volatile ProjectionStatus.FailedEvent failedEvent;

    Running(Projection projection) {
      this.projection = projection;
    }

    synchronized void start() {
      Subscription previous = subscription;
      if (previous != null && !previous.stopped().toCompletableFuture().isDone()) {
        throw new IllegalStateException("Projection '" + projection.name() + "' is still applying a batch from before it was"
            + " stopped; start it again once that has finished (its status shows the position)");
      }
      try {
        position = projection.position();
      } catch (Exception e) {
        fault(e, null);
        return;
      }
      lastError = null;
      failedEvent = null;
      state = ProjectionStatus.State.RUNNING;
      Subscription s = store.subscribeToAll(position, projection.filter(), new Pages());
      subscription = s;
      s.stopped().whenComplete((ok, failure) -> {
        if (failure != null && state != ProjectionStatus.State.FAULTED) {
          fault(failure, null);
        }
      });
    }

    /**
     * Stops the subscription; waits (up to a minute) for a batch being applied, unless called from
     * that batch itself. Returns whether the subscription has ended.
     */
    boolean stop() {
      if (Thread.currentThread() == applying) {
        // The projection stops itself: it ends once this batch returns. Not under the monitor, which
        // a stop from another thread may hold while it waits for this very batch.
        Subscription s = subscription;
        if (s != null) {
          s.close();
        }
        markStopped();
        return false;
      }
      return stopAndAwait();
    }

    private synchronized boolean stopAndAwait() {
      Subscription s = subscription;
      if (s != null) {
        s.close();
        try {
          s.stopped().toCompletableFuture().exceptionally(t -> null).get(1, TimeUnit.MINUTES);
        } catch (Exception e) {
          LOG.log(Level.WARNING, "Projection " + projection.name() + " did not stop in time", e);
        }
      }
      markStopped();
      return s == null || s.stopped().toCompletableFuture().isDone();
    }

    void stopBefore(String then) {
      if (!stop()) {
        throw new IllegalStateException("Projection '" + projection.name() + "' is stopped but its batch is still being applied"
            + (Thread.currentThread() == applying ? " (by this very call)" : "") + "; " + then + " it once that has finished");
      }
    }

    private void markStopped() {
      if (state == ProjectionStatus.State.RUNNING) {
        state = ProjectionStatus.State.STOPPED;
      }
    }

    /** One subscription's feed: collects a page, applies it as one batch. */
    private final class Pages implements BatchingEventHandler {
      private final List<RecordedEvent> batch = new ArrayList<>();

      @Override
      public void handle(RecordedEvent event) {
        applying = Thread.currentThread();
        batch.add(event);
      }

      @Override
      public void endOfBatch(long through) throws Exception {
        applying = Thread.currentThread();
        try {
          projection.apply(batch, through);
        } catch (EventApplyException located) {
          position = projection.position();
          fault(located.getCause(), located.event());
          throw located;
        } catch (Exception batchFailure) {
          applyOneByOne(through);
        } finally {
          batch.clear();
        }
        position = through;
      }

      /** After a failed batch: commit event by event up to the one that fails, and fault on it. */
      private void applyOneByOne(long through) throws Exception {
        for (RecordedEvent e : batch) {
          try {
            projection.apply(List.of(e), e.globalPosition());
            position = e.globalPosition();
          } catch (Exception failure) {
            fault(failure, e);
            throw failure;
          }
        }
        projection.apply(List.of(), through); // the batch failed for a passing reason: record its end
      }
    }

    private void fault(Throwable failure, RecordedEvent event) {
      state = ProjectionStatus.State.FAULTED;
      lastError = failure.toString();
      if (event != null) {
        failedEvent = new ProjectionStatus.FailedEvent(event.globalPosition(), event.eventId(), event.streamId(), event.version(),
            event.eventType());
      }
      LOG.log(Level.WARNING, "Projection " + projection.name() + " stopped at position " + position
          + (event != null ? " on event " + event.eventId() + " (" + event.eventType() + " in " + event.streamId() + ")" : ""), failure);
    }

    ProjectionStatus status(long head) {
      long p = position;
      return new ProjectionStatus(projection.name(), state, p, Math.max(0, head - p), lastError, failedEvent);
    }
  }
}
