package io.factum.core.subscription;

import io.factum.api.RecordedEvent;
import java.util.List;

/** What a subscription follows: a cursor over {@code $all} or over one stream. Confined to the subscription's thread. */
interface Feed {

  /** The next page after the cursor; {@link Step#reachedEnd()} when it got to the end as of now. */
  Step next(int maxCount);

  /** The cursor moves past an event that was handed to the handler. */
  void delivered(RecordedEvent event);

  /** The cursor moves past everything the page examined (after all its events were delivered). */
  void completed(Step step);

  /** The global position processed through. */
  long position();

  record Step(List<RecordedEvent> events, long scannedThrough, boolean reachedEnd) {}

  /** {@code $all}, filtered; the cursor is a global position. */
  final class All implements Feed {
    private final AllPageReader reader;
    private final io.factum.api.EventFilter filter;
    private volatile long position;

    All(AllPageReader reader, io.factum.api.EventFilter filter, long afterPosition) {
      this.reader = reader;
      this.filter = filter;
      this.position = afterPosition;
    }

    @Override
    public Step next(int maxCount) {
      AllPage page = reader.read(position, maxCount, filter);
      return new Step(page.events(), page.scannedThrough(), page.reachedHead());
    }

    @Override
    public void delivered(RecordedEvent event) {
      position = event.globalPosition();
    }

    @Override
    public void completed(Step step) {
      position = Math.max(position, step.scannedThrough());
    }

    @Override
    public long position() {
      return position;
    }

  }

  /** One stream; the cursor is the next version to read. */
  final class OneStream implements Feed {
    private final StreamPageReader reader;
    private final String streamId;
    private long nextVersion;
    private volatile long position;

    OneStream(StreamPageReader reader, String streamId, long fromVersion) {
      this.reader = reader;
      this.streamId = streamId;
      this.nextVersion = fromVersion;
    }

    @Override
    public Step next(int maxCount) {
      List<RecordedEvent> events = reader.read(streamId, nextVersion, maxCount);
      return new Step(events, 0, events.size() < maxCount);
    }

    @Override
    public void delivered(RecordedEvent event) {
      nextVersion = event.version() + 1;
      position = event.globalPosition();
    }

    @Override
    public void completed(Step step) {}

    @Override
    public long position() {
      return position;
    }

    String streamId() {
      return streamId;
    }
  }
}
