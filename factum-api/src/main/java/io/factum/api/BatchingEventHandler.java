package io.factum.api;

/**
 * An {@link EventHandler} that is also told where each page a subscription reads ends: the place to
 * commit a batch (for example the events and the position in one database transaction).
 *
 * <p>After the events of a page were handled, {@link #endOfBatch} is called with the position the
 * page covers (which may lie past the last event when a filter skipped some). The subscription's
 * position moves only once {@code endOfBatch} returns: if it throws, the subscription fails and the
 * whole page is delivered again to a new subscription from {@link Subscription#lastPosition()}.
 * {@code endOfBatch} is also called for a page that had no matching events but moved the position.
 */
public interface BatchingEventHandler extends EventHandler {

  void endOfBatch(long position) throws Exception;
}
