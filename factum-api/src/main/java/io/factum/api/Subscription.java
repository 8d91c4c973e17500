package io.factum.api;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A running subscription: it reads what was stored after its start (catch-up), then follows new
 * events as they are appended (live), handing each to its {@link EventHandler} exactly once, in
 * order, with no gap and no duplicate at the switch.
 *
 * <p>Backpressure: a slow handler never blocks writers and never makes the store buffer without
 * bound; it simply falls behind and catches up by reading pages from the store. It is never dropped.
 * Thread-safe.
 */
public interface Subscription extends AutoCloseable {

  /** Where a subscription is in its life. */
  enum State {
    /** Working through a backlog: its last read filled a whole page. */
    CATCHING_UP,
    /** Caught up: its last read reached the head; handling the newest events or waiting for more. */
    LIVE,
    /** Stopped because the handler threw; see {@link #failure()}. */
    FAILED,
    /** Stopped by {@link #close()} or by closing the store. */
    CLOSED
  }

  /**
   * The global position this subscription has processed through: the position of the last event
   * handed to the handler, or further when a filter skipped later events. A new subscription from
   * this position continues exactly where this one stopped. For a stream subscription it is the
   * global position of the last event handled ({@code 0} before the first).
   */
  long lastPosition();

  /** Whether the subscription has caught up (its last read reached the head) and follows new appends. */
  boolean isLive();

  State state();

  /** The handler's exception when the state is {@link State#FAILED}. */
  Optional<Throwable> failure();

  /**
   * Completes when the subscription stops: normally after {@link #close()}, exceptionally with the
   * handler's exception when it failed.
   */
  CompletionStage<Void> stopped();

  /**
   * Stops the subscription. Returns once the handler is no longer running (an event being handled is
   * finished first); the handler is not called again. Safe to call from inside the handler and more
   * than once.
   */
  @Override
  void close();
}
