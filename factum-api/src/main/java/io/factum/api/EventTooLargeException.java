package io.factum.api;

/**
 * An event or an append is over the store's {@link StoreLimits}: a kind of {@link
 * InvalidEventException} that callers (and the HTTP API, with status 413) can tell apart from other
 * bad input. Nothing was written.
 */
public final class EventTooLargeException extends InvalidEventException {

  public EventTooLargeException(String message) {
    super(message);
  }
}
