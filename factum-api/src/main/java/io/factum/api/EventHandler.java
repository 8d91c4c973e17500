package io.factum.api;

/**
 * Receives the events of a subscription, one at a time, in order, on the subscription's own thread.
 *
 * <p>Returning normally acknowledges the event. Throwing stops the subscription: the event is not
 * skipped, {@link Subscription#failure()} holds the exception, and a new subscription from {@link
 * Subscription#lastPosition()} receives that event again.
 */
@FunctionalInterface
public interface EventHandler {
  void handle(RecordedEvent event) throws Exception;
}
