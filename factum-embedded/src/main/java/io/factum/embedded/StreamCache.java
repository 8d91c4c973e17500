package io.factum.embedded;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The writer's least-recently-used cache of stream states (last version and position), so the
 * expected-version check of a hot stream costs no index lookup. Bounded; writer thread only.
 */
final class StreamCache {

  /** A stream's last version and the position of its last event; version 0 means absent. */
  record State(long version, long lastPosition) {
    static final State ABSENT = new State(0, 0);
  }

  private final LinkedHashMap<String, State> map;

  StreamCache(int capacity) {
    this.map = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, State> eldest) {
        return size() > capacity;
      }
    };
  }

  State get(String streamId) {
    return map.get(streamId);
  }

  void put(String streamId, State state) {
    map.put(streamId, state);
  }
}
