package io.factum.core.projection;

import io.factum.api.RecordedEvent;

/**
 * Thrown by a {@link Projection} whose batches are not atomic to say exactly where a batch failed:
 * the events before {@link #event()} are applied and their position recorded, this one is not. The
 * runner then faults the projection on this event without applying anything again.
 */
public final class EventApplyException extends Exception {

  private final transient RecordedEvent event;

  public EventApplyException(RecordedEvent event, Throwable cause) {
    super("Applying event " + event.eventId() + " (" + event.eventType() + " in " + event.streamId() + "@" + event.version()
        + ", position " + event.globalPosition() + ") failed: " + cause, cause);
    this.event = event;
  }

  /** The event that could not be applied. */
  public RecordedEvent event() {
    return event;
  }
}
