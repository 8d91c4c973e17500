package io.factum.core.codec;

import io.factum.api.FactumException;
import io.factum.api.RecordedEvent;

/**
 * An event could not be decoded into a Java type: its type is not registered, its schema version
 * has no upcaster to the registered one, or an upcaster failed on it. The event is not dropped: it is in {@link #event()}, and the
 * message says what to register.
 */
public final class UnknownEventTypeException extends FactumException {

  private final transient RecordedEvent event;

  public UnknownEventTypeException(RecordedEvent event, String message) {
    super(message);
    this.event = event;
  }

  /** The same, caused by {@code cause} (an upcaster that failed, say). */
  public UnknownEventTypeException(RecordedEvent event, String message, Throwable cause) {
    super(message, cause);
    this.event = event;
  }

  /** The event that could not be decoded. */
  public RecordedEvent event() {
    return event;
  }
}
