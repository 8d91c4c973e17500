package io.factum.core.subscription;

import io.factum.api.RecordedEvent;
import java.util.List;

/**
 * One page of {@code $all} as a backend returns it to the subscription engine.
 *
 * @param events the matching events, in global order
 * @param scannedThrough the position the read examined through: at least the last event's position,
 *     further when a filter rejected later events. The next read continues after it. It must never
 *     exceed a position the backend could still fill with a new event (the global-order rule).
 * @param reachedHead whether the read reached the head of the store as it was at the time
 */
public record AllPage(List<RecordedEvent> events, long scannedThrough, boolean reachedHead) {

  public AllPage {
    events = List.copyOf(events);
    if (!events.isEmpty() && events.get(events.size() - 1).globalPosition() > scannedThrough) {
      throw new IllegalArgumentException("scannedThrough " + scannedThrough + " is before the last event of the page");
    }
  }
}
