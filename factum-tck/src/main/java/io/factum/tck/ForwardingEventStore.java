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
import java.util.concurrent.CompletableFuture;

/**
 * A real store seen through a test's eyes: every call goes to {@code delegate}; a test overrides the
 * calls it wants to count, delay or observe. Closing closes the delegate.
 */
public abstract class ForwardingEventStore implements EventStore {

  protected final EventStore delegate;

  protected ForwardingEventStore(EventStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
    return delegate.append(streamId, expected, events);
  }

  @Override
  public CompletableFuture<AppendResult> appendAsync(String streamId, ExpectedVersion expected, List<EventData> events) {
    return delegate.appendAsync(streamId, expected, events);
  }

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion, int maxCount) {
    return delegate.readStream(streamId, fromVersion, maxCount);
  }

  @Override
  public List<RecordedEvent> readStreamBackward(String streamId, long fromVersion, int maxCount) {
    return delegate.readStreamBackward(streamId, fromVersion, maxCount);
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
    delegate.close();
  }
}
