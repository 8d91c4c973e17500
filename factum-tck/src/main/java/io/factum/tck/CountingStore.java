package io.factum.tck;

import io.factum.api.AppendResult;
import io.factum.api.CheckpointStore;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventHandler;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.SnapshotStore;
import io.factum.api.StoreLimits;
import io.factum.api.Subscription;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/** A store that counts the events its stream reads return, to prove what a load did not read. */
public final class CountingStore implements EventStore {

  private final EventStore delegate;
  private final AtomicLong streamEventsRead = new AtomicLong();

  public CountingStore(EventStore delegate) {
    this.delegate = delegate;
  }

  public long streamEventsRead() {
    return streamEventsRead.get();
  }

  public void resetCount() {
    streamEventsRead.set(0);
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
    return delegate.append(streamId, expected, events);
  }

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion, int maxCount) {
    List<RecordedEvent> read = delegate.readStream(streamId, fromVersion, maxCount);
    streamEventsRead.addAndGet(read.size());
    return read;
  }

  @Override
  public List<RecordedEvent> readStreamBackward(String streamId, long fromVersion, int maxCount) {
    List<RecordedEvent> read = delegate.readStreamBackward(streamId, fromVersion, maxCount);
    streamEventsRead.addAndGet(read.size());
    return read;
  }

  @Override
  public List<RecordedEvent> readAll(long afterPosition, int maxCount, EventFilter filter) {
    return delegate.readAll(afterPosition, maxCount, filter);
  }

  @Override
  public OptionalLong streamVersion(String streamId) {
    return delegate.streamVersion(streamId);
  }

  @Override
  public long headPosition() {
    return delegate.headPosition();
  }

  @Override
  public Subscription subscribeToAll(long afterPosition, EventFilter filter, EventHandler handler) {
    return delegate.subscribeToAll(afterPosition, filter, handler);
  }

  @Override
  public Subscription subscribeToStream(String streamId, long fromVersion, EventHandler handler) {
    return delegate.subscribeToStream(streamId, fromVersion, handler);
  }

  @Override
  public CheckpointStore checkpoints() {
    return delegate.checkpoints();
  }

  @Override
  public SnapshotStore snapshots() {
    return delegate.snapshots();
  }

  @Override
  public StoreLimits limits() {
    return delegate.limits();
  }

  @Override
  public void close() {
    // the delegate belongs to the test
  }
}
