package io.factum.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * An append that passed every input rule of the contract, ready for a backend to write.
 *
 * <p>Backends call {@link #validate} first thing in {@link EventStore#append}, so every backend
 * rejects the same inputs with the same messages before touching storage.
 */
public final class AppendRequest {

  private final String streamId;
  private final ExpectedVersion expected;
  private final List<EventData> events;
  private final long totalBytes;

  private AppendRequest(String streamId, ExpectedVersion expected, List<EventData> events, long totalBytes) {
    this.streamId = streamId;
    this.expected = expected;
    this.events = List.copyOf(events);
    this.totalBytes = totalBytes;
  }

  public String streamId() {
    return streamId;
  }

  public ExpectedVersion expected() {
    return expected;
  }

  /** The events, in order; an immutable list. */
  public List<EventData> events() {
    return events;
  }

  /** Data plus metadata bytes of all events. */
  public long totalBytes() {
    return totalBytes;
  }

  /**
   * Checks an append against the contract's input rules: a writable stream id, an expected version,
   * at least one event, no {@code null} event, no event type starting with {@code '$'}, no event id
   * twice in the batch, each event and the whole batch within {@code limits}.
   *
   * @throws InvalidEventException naming the first rule broken
   */
  public static AppendRequest validate(String streamId, ExpectedVersion expected, List<EventData> events, StoreLimits limits) {
    StreamIds.requireWritable(streamId);
    if (expected == null) {
      throw new InvalidEventException("Expected version is missing for the append to '" + streamId
          + "'; pass ExpectedVersion.ANY to skip the check");
    }
    if (events == null || events.isEmpty()) {
      throw new InvalidEventException("An append to '" + streamId + "' needs at least one event");
    }
    long total = 0;
    Set<UUID> ids = null; // made on the first id, sized for all; one event cannot repeat itself
    for (int k = 0; k < events.size(); k++) {
      EventData e = events.get(k);
      if (e == null) {
        throw new InvalidEventException("Event #" + k + " of the append to '" + streamId + "' is null");
      }
      if (e.eventType().startsWith("$")) {
        throw new InvalidEventException("Event type '" + e.eventType()
            + "' starts with '$', which is reserved for system events; choose a name such as 'OrderPlaced'");
      }
      if (e.eventId() != null && events.size() > 1) {
        if (ids == null) {
          ids = new HashSet<>((int) (events.size() / 0.75f) + 1);
        }
        if (!ids.add(e.eventId())) {
          throw new InvalidEventException("Event id " + e.eventId() + " appears twice in the append to '" + streamId
              + "'; every event needs its own id");
        }
      }
      int size = e.sizeInBytes();
      if (size > limits.maxEventBytes()) {
        throw new EventTooLargeException("Event #" + k + " (" + e.eventType() + ") of the append to '" + streamId + "' is "
            + size + " bytes, over the limit of " + limits.maxEventBytes()
            + " bytes per event; store large payloads elsewhere and reference them");
      }
      total += size;
    }
    if (total > limits.maxAppendBytes()) {
      throw new EventTooLargeException("The append to '" + streamId + "' is " + total + " bytes, over the limit of "
          + limits.maxAppendBytes() + " bytes per append; split it into smaller appends");
    }
    return new AppendRequest(streamId, expected, events, total);
  }

  /** The events with every missing id taken from {@code ids}. Events that have an id keep it. */
  public List<EventData> eventsWithIds(Supplier<UUID> ids) {
    List<EventData> out = new ArrayList<>(events.size());
    for (EventData e : events) {
      out.add(e.eventId() != null ? e : e.withId(ids.get()));
    }
    return out;
  }

  /** Whether any event lacks an id. */
  public boolean hasEventsWithoutId() {
    for (EventData e : events) {
      if (e.eventId() == null) {
        return true;
      }
    }
    return false;
  }
}
