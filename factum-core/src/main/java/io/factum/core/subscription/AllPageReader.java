package io.factum.core.subscription;

import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import java.util.List;

/**
 * How the subscription engine reads {@code $all}: "give me up to n matching events after p". A
 * backend with an index for filters supplies its own; {@link #of(EventStore)} works for any store.
 */
@FunctionalInterface
public interface AllPageReader {

  AllPage read(long afterPosition, int maxCount, EventFilter filter);

  /**
   * A reader built on the public API alone. The head is read before the events: a page shorter than
   * asked holds every matching event up to at least that head, so the scan can safely advance to it
   * even when the filter matched nothing.
   */
  static AllPageReader of(EventStore store) {
    return (after, max, filter) -> {
      long head = store.headPosition();
      List<RecordedEvent> events = store.readAll(after, max, filter);
      boolean reachedHead = events.size() < max;
      long last = events.isEmpty() ? after : events.get(events.size() - 1).globalPosition();
      long scanned = reachedHead ? Math.max(last, head) : last;
      return new AllPage(events, scanned, reachedHead);
    };
  }
}
