package io.factum.core.subscription;

import io.factum.api.EventFilter;
import io.factum.api.EventHandler;
import io.factum.api.ReadArguments;
import io.factum.api.StoreClosedException;
import io.factum.api.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the subscriptions of one store. Backends give it two things: a way to read a page ({@link
 * AllPageReader}, {@link StreamPageReader}) and a call to {@link #onAppended(String)} whenever new
 * events become visible. Everything else — catch-up, the switch to live, backpressure, failure and
 * close — lives here, once, for every backend.
 *
 * <p>Each subscription has its own named daemon thread, so a blocking handler (a slow HTTP client, a
 * database write) only delays itself. Thread-safe.
 */
public final class SubscriptionEngine implements AutoCloseable {

  private final String storeName;
  private final SubscriptionSettings settings;
  private final Set<CatchUpSubscription> all = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, Set<CatchUpSubscription>> byStream = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param storeName used in thread names ({@code factum-<storeName>-subscription-<n>})
   */
  public SubscriptionEngine(String storeName, SubscriptionSettings settings) {
    this.storeName = storeName;
    this.settings = settings;
  }

  public SubscriptionSettings settings() {
    return settings;
  }

  /** Subscribes to {@code $all} after {@code afterPosition}, through {@code reader}. */
  public Subscription subscribeToAll(AllPageReader reader, long afterPosition, EventFilter filter, EventHandler handler) {
    ReadArguments.checkSubscribeToAll(afterPosition, filter, handler);
    CatchUpSubscription s = newSubscription(new Feed.All(reader, filter, afterPosition), handler);
    all.add(s);
    start(s);
    return s;
  }

  /** Subscribes to one stream from {@code fromVersion} (inclusive), through {@code reader}. */
  public Subscription subscribeToStream(StreamPageReader reader, String streamId, long fromVersion, EventHandler handler) {
    ReadArguments.checkSubscribeToStream(streamId, fromVersion, handler);
    CatchUpSubscription s = newSubscription(new Feed.OneStream(reader, streamId, fromVersion), handler);
    byStream.compute(streamId, (k, set) -> {
      Set<CatchUpSubscription> subs = set != null ? set : ConcurrentHashMap.newKeySet();
      subs.add(s);
      return subs;
    });
    start(s);
    return s;
  }

  private CatchUpSubscription newSubscription(Feed feed, EventHandler handler) {
    if (closed) {
      throw new StoreClosedException("The store '" + storeName + "' is closed; open it again to subscribe");
    }
    String name = "factum-" + storeName + "-subscription-" + ids.incrementAndGet();
    return new CatchUpSubscription(name, feed, handler, settings, this);
  }

  private void start(CatchUpSubscription s) {
    s.start();
    if (closed) { // lost a race with close(): do not leave it running
      s.close();
    }
  }

  /** New events are visible in {@code streamId} ({@code null}: somewhere). Wakes the subscriptions that follow it. */
  public void onAppended(String streamId) {
    for (CatchUpSubscription s : all) {
      s.wake();
    }
    if (streamId == null) {
      byStream.values().forEach(set -> set.forEach(CatchUpSubscription::wake));
    } else {
      Set<CatchUpSubscription> set = byStream.get(streamId);
      if (set != null) {
        set.forEach(CatchUpSubscription::wake);
      }
    }
  }

  /** The number of running subscriptions. */
  public int activeCount() {
    int n = all.size();
    for (Set<CatchUpSubscription> set : byStream.values()) {
      n += set.size();
    }
    return n;
  }

  void remove(CatchUpSubscription s) {
    if (s.feed() instanceof Feed.OneStream) {
      byStream.computeIfPresent(((Feed.OneStream) s.feed()).streamId(), (k, set) -> {
        set.remove(s);
        return set.isEmpty() ? null : set;
      });
    } else {
      all.remove(s);
    }
  }

  /** Closes every subscription and refuses new ones. Idempotent. */
  @Override
  public void close() {
    closed = true;
    List<CatchUpSubscription> running = new ArrayList<>(all);
    byStream.values().forEach(running::addAll);
    // All are told first and share one deadline: handlers stuck in a slow write (an SSE client that
    // stopped reading) are waited for together, not one close timeout after another.
    running.forEach(CatchUpSubscription::stopSoon);
    long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
    for (CatchUpSubscription s : running) {
      s.awaitStopped(deadline);
    }
  }
}
