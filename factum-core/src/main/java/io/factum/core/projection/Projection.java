package io.factum.core.projection;

import io.factum.api.EventFilter;
import io.factum.api.RecordedEvent;
import java.util.List;

/**
 * A named read model built from events, run by a {@link ProjectionRunner}.
 *
 * <p>The runner hands it events in batches (a page of the store at a time) together with the
 * position the batch covers. A projection that records that position in the same transaction as its
 * changes ({@link JdbcProjection}) applies every event exactly once, even across crashes; one that
 * records it separately ({@link CheckpointedProjection}) applies them at least once and must be
 * idempotent. Methods are called from one thread at a time.
 */
public interface Projection {

  /** A unique name: identifies the projection's position and status. */
  String name();

  /** The events it wants; the others are skipped (its position still moves past them). */
  default EventFilter filter() {
    return EventFilter.ALL;
  }

  /** The position it has applied through: where it resumes. 0 before the first event. */
  long position() throws Exception;

  /**
   * Applies {@code events} (in order; possibly none) and records {@code position} (at least the last
   * event's) as applied through.
   *
   * <p>On failure, either nothing of the batch counts as applied (an atomic batch: the runner then
   * retries it event by event to commit what it can and find the event that fails), or the
   * projection throws {@link EventApplyException} naming the event that failed after recording the
   * position of the events before it.
   */
  void apply(List<RecordedEvent> events, long position) throws Exception;

  /** Deletes the read model and its position, so it can be rebuilt from the first event. */
  void reset() throws Exception;
}
