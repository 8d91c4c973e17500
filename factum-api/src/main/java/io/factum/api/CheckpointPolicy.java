package io.factum.api;

/**
 * When a named subscription ({@link EventStore#subscribe(String, EventFilter, EventHandler,
 * CheckpointPolicy)}) saves its position: after every {@code everyEvents} events, or when an event is
 * handled {@code everyMillis} or more after the last save — and always when it is closed or fails.
 * Delivery is at-least-once: after a crash, the events since the last save come again.
 */
public record CheckpointPolicy(int everyEvents, long everyMillis) {

  /** Every 500 events or once a second. */
  public static final CheckpointPolicy DEFAULT = new CheckpointPolicy(500, 1000);

  public CheckpointPolicy {
    if (everyEvents < 1) {
      throw new InvalidEventException("everyEvents must be >= 1, got " + everyEvents);
    }
    if (everyMillis < 0) {
      throw new InvalidEventException("everyMillis must be >= 0, got " + everyMillis);
    }
  }
}
