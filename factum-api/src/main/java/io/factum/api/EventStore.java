package io.factum.api;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * An append-only store of events, organised in streams, with one global order.
 *
 * <p><b>Streams and versions.</b> Each event belongs to one stream and has a version in it, dense from
 * 1. <b>Global order.</b> Each event also has a global position, dense from 1 with no holes,
 * consecutive within one append and increasing in the order events become visible: a reader that has
 * seen position {@code p} never later sees a new event at a position {@code <= p}.
 *
 * <p><b>Appends</b> are atomic (all events or none), checked against an {@link ExpectedVersion}, and
 * idempotent by event id: re-sending a batch whose ids are all stored, in that stream, in that order,
 * returns the original {@link AppendResult} flagged {@code alreadyAppended}, whatever the expected
 * version. An append returns only once its events are as durable as the backend promises (on disk for
 * the embedded store, committed for PostgreSQL).
 *
 * <p><b>Errors.</b> Bad input raises {@link InvalidEventException}; a failed concurrency check {@link
 * WrongExpectedVersionException}; misused event ids {@link IdempotencyConflictException}; any of these
 * means nothing was written. Use after {@link #close()} raises {@link StoreClosedException}.
 *
 * <p>Every method is thread-safe.
 */
public interface EventStore extends AutoCloseable {

  /**
   * Appends {@code events} to {@code streamId}, atomically, if the stream satisfies {@code expected}.
   *
   * @return the versions and positions written, or, for a recognised retry, those of the original write
   * @throws WrongExpectedVersionException if the stream does not satisfy {@code expected}
   * @throws IdempotencyConflictException if some but not all ids are stored, or they are stored elsewhere
   * @throws InvalidEventException if the input breaks a rule (see {@link AppendRequest#validate})
   */
  AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events);

  /** Varargs form of {@link #append(String, ExpectedVersion, List)}. */
  default AppendResult append(String streamId, ExpectedVersion expected, EventData... events) {
    return append(streamId, expected, events == null ? null : Arrays.asList(events));
  }

  /**
   * Starts {@link #append(String, ExpectedVersion, List) append} and returns without waiting for it:
   * the future completes with what {@code append} would return, once the events are as durable, or
   * fails with what it would throw (bad input included; nothing is written then). This method itself
   * never throws.
   *
   * <p><b>Order.</b> Appends started by one thread are decided in the order they were started, so a
   * caller can pipeline appends to one stream with consecutive expected versions without waiting for
   * each, and many appends in flight share syncs (a single thread reaches the throughput of many). The
   * futures complete as outcomes are known, which need not be in that order (a rejection can be
   * answered before an earlier append is durable).
   *
   * <p><b>Callbacks.</b> Dependent actions attached without an executor may run on the store's own
   * writer or completion thread, like a Kafka producer's callbacks: keep them short and never wait in
   * them for another append; use the {@code ...Async(..., executor)} forms for real work. A blocking
   * {@code append} on the store's own thread is refused ({@link IllegalStateException}, nothing
   * written); {@code close} there returns at once and finishes on another thread.
   *
   * <p>The default calls {@code append} on the calling thread and returns a completed future; the
   * embedded and PostgreSQL stores queue the append and return at once.
   */
  default CompletableFuture<AppendResult> appendAsync(String streamId, ExpectedVersion expected, List<EventData> events) {
    try {
      return CompletableFuture.completedFuture(append(streamId, expected, events));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Reads up to {@code maxCount} events of a stream in version order, starting at {@code fromVersion}
   * (inclusive). Returns an empty list when the stream does not exist or has no such version.
   *
   * @param fromVersion first version to return, {@code >= 1}
   * @param maxCount {@code >= 1}
   */
  List<RecordedEvent> readStream(String streamId, long fromVersion, int maxCount);

  /**
   * Reads up to {@code maxCount} events of a stream in descending version order, starting at {@code
   * fromVersion} (inclusive); {@code Long.MAX_VALUE} starts from the last event.
   */
  List<RecordedEvent> readStreamBackward(String streamId, long fromVersion, int maxCount);

  /**
   * Reads up to {@code maxCount} events of all streams that pass {@code filter}, in global order,
   * strictly after {@code afterPosition} ({@code 0} reads from the start).
   */
  List<RecordedEvent> readAll(long afterPosition, int maxCount, EventFilter filter);

  /** {@link #readAll(long, int, EventFilter)} without a filter. */
  default List<RecordedEvent> readAll(long afterPosition, int maxCount) {
    return readAll(afterPosition, maxCount, EventFilter.ALL);
  }

  /** The stream's last version, or empty when the stream does not exist. */
  OptionalLong streamVersion(String streamId);

  /** The global position of the last visible event; {@code 0} for an empty store. */
  long headPosition();

  /**
   * Subscribes to every event that passes {@code filter}, strictly after {@code afterPosition}: first
   * the stored ones, then new ones as they are appended. See {@link Subscription} for the guarantees.
   */
  Subscription subscribeToAll(long afterPosition, EventFilter filter, EventHandler handler);

  /**
   * Subscribes to one stream from {@code fromVersion} (inclusive, {@code >= 1}): the stored events,
   * then new ones. The stream need not exist yet.
   */
  Subscription subscribeToStream(String streamId, long fromVersion, EventHandler handler);

  /**
   * Subscribes to {@code $all} under a name: starts after the position saved under that name in
   * {@link #checkpoints()} (or from the beginning) and saves its position as it goes, following
   * {@code policy}, and when closed or failed. Delivery is at-least-once across restarts; a handler
   * that stores its own position transactionally (see {@link BatchingEventHandler}) gets exactly-once
   * effects.
   */
  default Subscription subscribe(String name, EventFilter filter, EventHandler handler, CheckpointPolicy policy) {
    return NamedSubscription.start(this, name, filter, handler, policy);
  }

  /** {@link #subscribe(String, EventFilter, EventHandler, CheckpointPolicy)} with {@link CheckpointPolicy#DEFAULT}. */
  default Subscription subscribe(String name, EventFilter filter, EventHandler handler) {
    return subscribe(name, filter, handler, CheckpointPolicy.DEFAULT);
  }

  /** Named positions of subscriptions and projections, kept by this store. */
  CheckpointStore checkpoints();

  /** The latest snapshot of each stream, kept by this store. */
  SnapshotStore snapshots();

  /** The size limits this store enforces. */
  default StoreLimits limits() {
    return StoreLimits.DEFAULT;
  }

  /**
   * Closes the store: stops its subscriptions and releases its resources. Appends that already
   * returned stay durable. Idempotent.
   */
  @Override
  void close();
}
