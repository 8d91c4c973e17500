package io.factum.server;

import io.factum.api.RecordedEvent;
import io.factum.core.projection.Projection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's list of streams ({@code GET /streams}) and event statistics, as a projection named
 * {@value #NAME} built from {@code $all}. Kept in memory and rebuilt from the first event when the
 * server starts, so it costs one catch-up read per start and memory per stream (about 150 bytes);
 * see {@code docs/server.md}. It trails appends by the projection's lag (milliseconds when live).
 * Reads are thread-safe while the runner applies.
 */
final class StreamCatalog implements Projection {

  static final String NAME = "$streams";

  /** One stream as listed. */
  record StreamInfo(String streamId, String category, long version, long lastPosition, String lastEventType, Instant updatedAt) {}

  private final ConcurrentSkipListMap<String, StreamInfo> streams = new ConcurrentSkipListMap<>();
  private final Map<String, LongAdder> eventTypes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> categories = new ConcurrentHashMap<>();
  private volatile long position;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public void apply(List<RecordedEvent> events, long through) {
    for (RecordedEvent e : events) {
      streams.put(e.streamId(), new StreamInfo(e.streamId(), e.category(), e.version(), e.globalPosition(), e.eventType(), e.createdAt()));
      eventTypes.computeIfAbsent(e.eventType(), k -> new LongAdder()).increment();
      categories.computeIfAbsent(e.category(), k -> new LongAdder()).increment();
    }
    position = through;
  }

  @Override
  public void reset() {
    streams.clear();
    eventTypes.clear();
    categories.clear();
    position = 0;
  }

  /** Up to {@code limit} streams in id order, after {@code after} (exclusive, may be null), starting with {@code prefix}. */
  List<StreamInfo> list(String prefix, String after, int limit) {
    NavigableMap<String, StreamInfo> view = streams;
    if (after != null && !after.isEmpty()) {
      view = view.tailMap(after, false);
    }
    if (!prefix.isEmpty()) {
      if (after == null || after.compareTo(prefix) < 0) {
        view = view.tailMap(prefix, true);
      }
    }
    List<StreamInfo> out = new ArrayList<>(Math.min(limit, 1024));
    for (StreamInfo s : view.values()) {
      if (!s.streamId().startsWith(prefix)) {
        break;
      }
      out.add(s);
      if (out.size() == limit) {
        break;
      }
    }
    return out;
  }

  int streamCount() {
    return streams.size();
  }

  /** Events per type, by type name. */
  Map<String, Long> eventTypeCounts() {
    return counts(eventTypes);
  }

  /** Events per category, by category name. */
  Map<String, Long> categoryCounts() {
    return counts(categories);
  }

  private static Map<String, Long> counts(Map<String, LongAdder> adders) {
    Map<String, Long> out = new TreeMap<>();
    adders.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
