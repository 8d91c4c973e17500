package io.factum.core;

import io.factum.api.CheckpointStore;
import io.factum.api.ReadArguments;
import io.factum.api.Snapshot;
import io.factum.api.SnapshotStore;
import io.factum.api.StreamIds;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** The checkpoint and snapshot stores of {@link InMemoryEventStore}: concurrent maps, nothing more. */
final class MemoryStores {

  private MemoryStores() {}

  static final class Checkpoints implements CheckpointStore {
    private final ConcurrentSkipListMap<String, Long> positions = new ConcurrentSkipListMap<>();
    private final Runnable ensureOpen;

    Checkpoints(Runnable ensureOpen) {
      this.ensureOpen = ensureOpen;
    }

    @Override
    public OptionalLong load(String name) {
      ReadArguments.checkCheckpointName(name);
      ensureOpen.run();
      Long p = positions.get(name);
      return p == null ? OptionalLong.empty() : OptionalLong.of(p);
    }

    @Override
    public void save(String name, long position) {
      ReadArguments.checkCheckpoint(name, position);
      ensureOpen.run();
      positions.put(name, position);
    }

    @Override
    public void delete(String name) {
      ReadArguments.checkCheckpointName(name);
      ensureOpen.run();
      positions.remove(name);
    }

    @Override
    public Map<String, Long> all() {
      ensureOpen.run();
      return Map.copyOf(positions).entrySet().stream()
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, java.util.TreeMap::new));
    }
  }

  static final class Snapshots implements SnapshotStore {
    private final ConcurrentHashMap<String, Snapshot> latest = new ConcurrentHashMap<>();
    private final Runnable ensureOpen;

    Snapshots(Runnable ensureOpen) {
      this.ensureOpen = ensureOpen;
    }

    @Override
    public Optional<Snapshot> load(String streamId) {
      StreamIds.requireValid(streamId);
      ensureOpen.run();
      return Optional.ofNullable(latest.get(streamId));
    }

    @Override
    public void save(Snapshot snapshot) {
      if (snapshot == null) {
        throw new io.factum.api.InvalidEventException("Snapshot is missing");
      }
      ensureOpen.run();
      latest.merge(snapshot.streamId(), snapshot, (old, fresh) -> fresh.version() >= old.version() ? fresh : old);
    }

    @Override
    public void delete(String streamId) {
      StreamIds.requireValid(streamId);
      ensureOpen.run();
      latest.remove(streamId);
    }
  }
}
