package io.factum.api;

import java.util.Arrays;
import java.util.Set;

/**
 * Which events of {@code $all} a read or subscription wants.
 *
 * <p>A filter has three dimensions: stream categories, event types and stream-id prefixes. Within a
 * dimension the values are alternatives (OR); an empty dimension accepts everything; an event must
 * pass every dimension (AND). {@link #ALL} accepts every event. Matching is exact and case-sensitive.
 * Immutable and thread-safe.
 */
public record EventFilter(Set<String> categories, Set<String> eventTypes, Set<String> streamPrefixes) {

  /** Accepts every event. */
  public static final EventFilter ALL = new EventFilter(Set.of(), Set.of(), Set.of());

  public EventFilter {
    categories = copy(categories, "category");
    eventTypes = copy(eventTypes, "event type");
    streamPrefixes = copy(streamPrefixes, "stream prefix");
  }

  /** Events whose stream category is one of {@code categories}; with none, every event. */
  public static EventFilter categories(String... categories) {
    return ALL.withCategories(categories);
  }

  /** Events whose type is one of {@code types}; with none, every event. */
  public static EventFilter eventTypes(String... types) {
    return ALL.withEventTypes(types);
  }

  /** Events whose stream id starts with one of {@code prefixes}; with none, every event. */
  public static EventFilter streamPrefixes(String... prefixes) {
    return ALL.withStreamPrefixes(prefixes);
  }

  /**
   * This filter with its categories replaced by {@code values} (none: any); the other dimensions are
   * kept. Replaced, not intersected: {@code categories("Order").withCategories("Invoice")} wants invoices.
   */
  public EventFilter withCategories(String... values) {
    return new EventFilter(set(values), eventTypes, streamPrefixes);
  }

  /**
   * This filter with its event types replaced by {@code values} (none: any); the other dimensions are
   * kept. Replaced, not intersected, as in {@link #withCategories}.
   */
  public EventFilter withEventTypes(String... values) {
    return new EventFilter(categories, set(values), streamPrefixes);
  }

  /**
   * This filter with its stream-id prefixes replaced by {@code values} (none: any); the other
   * dimensions are kept. Replaced, not intersected, as in {@link #withCategories}.
   */
  public EventFilter withStreamPrefixes(String... values) {
    return new EventFilter(categories, eventTypes, set(values));
  }

  /** Whether this filter accepts every event. */
  public boolean isAll() {
    return categories.isEmpty() && eventTypes.isEmpty() && streamPrefixes.isEmpty();
  }

  /** Whether an event of {@code eventType} in stream {@code streamId} passes. */
  public boolean matches(String streamId, String eventType) {
    if (!eventTypes.isEmpty() && !eventTypes.contains(eventType)) {
      return false;
    }
    if (!categories.isEmpty() && !categories.contains(StreamIds.categoryOf(streamId))) {
      return false;
    }
    if (!streamPrefixes.isEmpty()) {
      for (String prefix : streamPrefixes) {
        if (streamId.startsWith(prefix)) {
          return true;
        }
      }
      return false;
    }
    return true;
  }

  /** Whether {@code event} passes. */
  public boolean matches(RecordedEvent event) {
    return matches(event.streamId(), event.eventType());
  }

  private static Set<String> set(String... values) {
    if (values == null) {
      throw new InvalidEventException("Filter values are missing");
    }
    for (String v : values) {
      if (v == null || v.isEmpty()) {
        throw new InvalidEventException("Filter values must not be null or empty");
      }
    }
    return Set.copyOf(Arrays.asList(values));
  }

  private static Set<String> copy(Set<String> values, String what) {
    if (values == null) {
      return Set.of();
    }
    for (String v : values) {
      if (v == null || v.isEmpty()) {
        throw new InvalidEventException("A filter " + what + " must not be empty");
      }
    }
    return Set.copyOf(values);
  }
}
