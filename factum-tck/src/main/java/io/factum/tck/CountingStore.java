package io.factum.tck;

import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A store that counts the events its stream reads return, to prove what a load did not read. */
public final class CountingStore extends ForwardingEventStore {

  private final AtomicLong streamEventsRead = new AtomicLong();

  public CountingStore(EventStore delegate) {
    super(delegate);
  }

  public long streamEventsRead() {
    return streamEventsRead.get();
  }

  public void resetCount() {
    streamEventsRead.set(0);
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
  public void close() {
    // the delegate belongs to the test
  }
}
