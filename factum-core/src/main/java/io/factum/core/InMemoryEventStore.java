package io.factum.core;

import io.factum.api.AppendRequest;
import io.factum.api.AppendResult;
import io.factum.api.CheckpointStore;
import io.factum.api.SnapshotStore;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventHandler;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.ReadArguments;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreLimits;
import io.factum.api.Subscription;
import io.factum.api.WrongExpectedVersionException;
import io.factum.core.subscription.AllPage;
import io.factum.core.subscription.SubscriptionEngine;
import io.factum.core.subscription.SubscriptionSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The reference implementation of the {@link EventStore} contract, in memory: for tests, demos and
 * as the executable meaning of the contract. Nothing survives {@link #close()} or the process.
 *
 * <p>One read-write lock guards the log: appends are serialised (which makes positions dense and
 * visible in order by construction), reads run in parallel. Thread-safe.
 */
public final class InMemoryEventStore implements EventStore {

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final StoreLimits limits;
  private final SubscriptionEngine subscriptions;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ArrayList<RecordedEvent> log = new ArrayList<>(); // index = global position - 1
  private final Map<String, ArrayList<RecordedEvent>> streams = new HashMap<>(); // index = version - 1
  private final Map<UUID, RecordedEvent> byId = new HashMap<>();
  private volatile boolean closed;
  private final MemoryStores.Checkpoints checkpoints = new MemoryStores.Checkpoints(this::ensureOpen);
  private final MemoryStores.Snapshots snapshots = new MemoryStores.Snapshots(this::ensureOpen);

  private InMemoryEventStore(StoreLimits limits, SubscriptionSettings settings) {
    this.limits = limits;
    this.subscriptions = new SubscriptionEngine("memory-" + INSTANCES.incrementAndGet(), settings);
  }

  /** An empty store with the default limits. */
  public static InMemoryEventStore create() {
    return create(StoreLimits.DEFAULT, SubscriptionSettings.DEFAULT);
  }

  /** An empty store with the given limits and subscription settings. */
  public static InMemoryEventStore create(StoreLimits limits, SubscriptionSettings settings) {
    return new InMemoryEventStore(limits, settings);
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
    AppendRequest request = AppendRequest.validate(streamId, expected, events, limits);
    List<EventData> batch = request.eventsWithIds(UuidV7::next);
    AppendResult result;
    lock.writeLock().lock();
    try {
      ensureOpen();
      AppendResult retry = findRetry(streamId, batch);
      if (retry != null) {
        return retry;
      }
      ArrayList<RecordedEvent> stream = streams.get(streamId);
      long current = stream == null ? 0 : stream.size();
      if (!expected.isSatisfiedBy(current)) {
        throw new WrongExpectedVersionException(streamId, expected, current == 0 ? -1 : current);
      }
      if (stream == null) {
        stream = new ArrayList<>();
        streams.put(streamId, stream);
      }
      Instant now = Instant.now();
      long firstPosition = log.size() + 1;
      for (int k = 0; k < batch.size(); k++) {
        EventData e = batch.get(k);
        RecordedEvent recorded = new RecordedEvent(e.eventId(), streamId, e.eventType(), current + 1 + k,
            e.schemaVersion(), e.data(), e.metadata(), e.contentType(), firstPosition + k, now);
        log.add(recorded);
        stream.add(recorded);
        byId.put(e.eventId(), recorded);
      }
      result = AppendResult.written(streamId, current + 1, current + batch.size(), firstPosition, firstPosition + batch.size() - 1);
    } finally {
      lock.writeLock().unlock();
    }
    subscriptions.onAppended(streamId);
    return result;
  }

  /**
   * The idempotency rule: all ids stored, in this stream, at consecutive versions in batch order → the
   * original result; none stored → {@code null} (a new write); anything else → a conflict.
   */
  private AppendResult findRetry(String streamId, List<EventData> batch) {
    RecordedEvent first = byId.get(batch.get(0).eventId());
    int found = 0;
    for (EventData e : batch) {
      if (byId.containsKey(e.eventId())) {
        found++;
      }
    }
    if (found == 0) {
      return null;
    }
    if (found < batch.size()) {
      UUID stored = batch.stream().map(EventData::eventId).filter(byId::containsKey).findFirst().orElseThrow();
      throw new IdempotencyConflictException(streamId, stored,
          "only " + found + " of the " + batch.size() + " events are already stored (partial overlap)");
    }
    for (int k = 0; k < batch.size(); k++) {
      RecordedEvent stored = byId.get(batch.get(k).eventId());
      if (!stored.streamId().equals(streamId)) {
        throw new IdempotencyConflictException(streamId, stored.eventId(), "it is stored in stream '" + stored.streamId() + "'");
      }
      if (stored.version() != first.version() + k) {
        throw new IdempotencyConflictException(streamId, stored.eventId(), "the stored events are in another order");
      }
    }
    RecordedEvent last = byId.get(batch.get(batch.size() - 1).eventId());
    return new AppendResult(streamId, first.version(), last.version(), first.globalPosition(), last.globalPosition(), true);
  }

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion, int maxCount) {
    ReadArguments.checkStreamRead(streamId, fromVersion, maxCount);
    lock.readLock().lock();
    try {
      ensureOpen();
      List<RecordedEvent> stream = streams.get(streamId);
      if (stream == null || fromVersion > stream.size()) {
        return List.of();
      }
      int from = (int) (fromVersion - 1);
      int to = (int) Math.min(stream.size(), (long) from + maxCount);
      return List.copyOf(stream.subList(from, to));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<RecordedEvent> readStreamBackward(String streamId, long fromVersion, int maxCount) {
    ReadArguments.checkStreamRead(streamId, fromVersion, maxCount);
    lock.readLock().lock();
    try {
      ensureOpen();
      List<RecordedEvent> stream = streams.get(streamId);
      if (stream == null) {
        return List.of();
      }
      int last = (int) Math.min(stream.size(), fromVersion) - 1;
      int first = (int) Math.max(0, (long) last - maxCount + 1);
      List<RecordedEvent> out = new ArrayList<>(stream.subList(first, last + 1));
      Collections.reverse(out);
      return Collections.unmodifiableList(out);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<RecordedEvent> readAll(long afterPosition, int maxCount, EventFilter filter) {
    ReadArguments.checkAllRead(afterPosition, maxCount, filter);
    return readAllPage(afterPosition, maxCount, filter).events();
  }

  private AllPage readAllPage(long afterPosition, int maxCount, EventFilter filter) {
    lock.readLock().lock();
    try {
      ensureOpen();
      int head = log.size();
      if (afterPosition >= head) {
        return new AllPage(List.of(), Math.max(afterPosition, head), true);
      }
      int from = (int) afterPosition;
      if (filter.isAll()) {
        int to = (int) Math.min(head, (long) from + maxCount);
        return new AllPage(log.subList(from, to), to, to == head);
      }
      List<RecordedEvent> out = new ArrayList<>(Math.min(maxCount, 256));
      for (int k = from; k < head; k++) {
        RecordedEvent e = log.get(k);
        if (filter.matches(e)) {
          out.add(e);
          if (out.size() == maxCount) {
            return new AllPage(out, e.globalPosition(), k + 1 == head);
          }
        }
      }
      return new AllPage(out, head, true);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public OptionalLong streamVersion(String streamId) {
    ReadArguments.checkStreamId(streamId);
    lock.readLock().lock();
    try {
      ensureOpen();
      List<RecordedEvent> stream = streams.get(streamId);
      return stream == null ? OptionalLong.empty() : OptionalLong.of(stream.size());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long headPosition() {
    lock.readLock().lock();
    try {
      ensureOpen();
      return log.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Subscription subscribeToAll(long afterPosition, EventFilter filter, EventHandler handler) {
    ensureOpen();
    return subscriptions.subscribeToAll(this::readAllPage, afterPosition, filter, handler);
  }

  @Override
  public Subscription subscribeToStream(String streamId, long fromVersion, EventHandler handler) {
    ensureOpen();
    return subscriptions.subscribeToStream(this::readStream, streamId, fromVersion, handler);
  }

  @Override
  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  @Override
  public SnapshotStore snapshots() {
    return snapshots;
  }

  @Override
  public StoreLimits limits() {
    return limits;
  }

  @Override
  public void close() {
    closed = true;
    subscriptions.close();
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreClosedException("This in-memory store is closed; create a new one");
    }
  }
}
