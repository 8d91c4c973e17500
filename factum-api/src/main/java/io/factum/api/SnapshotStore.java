package io.factum.api;

import java.util.Optional;

/**
 * The latest snapshot of each stream. Every {@link EventStore} has one ({@link
 * EventStore#snapshots()}).
 *
 * <p>Keeps the newest: saving a snapshot of a lower version than the stored one changes nothing, so
 * two loaders racing to snapshot the same stream cannot roll it back. On a durable store, {@link
 * #save} returns once the snapshot is durable. Thread-safe.
 */
public interface SnapshotStore {

  /** The latest snapshot of {@code streamId}, or empty. */
  Optional<Snapshot> load(String streamId);

  /** Stores {@code snapshot} unless a snapshot of a higher version of its stream is already stored. */
  void save(Snapshot snapshot);

  /** Removes the stream's snapshot; nothing happens if there is none. */
  void delete(String streamId);
}
