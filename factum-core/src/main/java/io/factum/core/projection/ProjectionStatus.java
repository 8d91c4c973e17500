package io.factum.core.projection;

import java.util.UUID;

/**
 * What a projection is doing, for operators and the web UI.
 *
 * @param position the position applied through
 * @param lag events between that position and the store's head
 * @param lastError the error that faulted it, or {@code null}
 * @param failedEvent the event it could not apply, or {@code null}
 */
public record ProjectionStatus(String name, State state, long position, long lag, String lastError, FailedEvent failedEvent) {

  /** A projection's state. */
  public enum State {
    /** Following the store. */
    RUNNING,
    /** Stopped on request (or not started). */
    STOPPED,
    /** Stopped by an event it could not apply; fix the cause and {@link ProjectionRunner#restart} it. */
    FAULTED
  }

  /** The event a faulted projection could not apply. */
  public record FailedEvent(long position, UUID eventId, String streamId, long version, String eventType) {}
}
