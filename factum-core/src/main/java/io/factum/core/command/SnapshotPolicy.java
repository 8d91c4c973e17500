package io.factum.core.command;

import io.factum.api.InvalidEventException;
import io.factum.api.Snapshot;

/**
 * When the {@link AggregateLoader} saves snapshots of a stream's state, and how it labels them.
 *
 * @param snapshotType the label stored with the snapshot; a snapshot of another type is ignored
 * @param schemaVersion the version of the state's shape; a snapshot of another version is ignored
 *     and the state rebuilt from events (bump it whenever the state class changes incompatibly)
 * @param everyEvents snapshot after an append whenever the stream has grown by this many events since
 *     the last snapshot (0: never)
 * @param whenReplayedMoreThan snapshot after a load that replayed more than this many events (0:
 *     never)
 */
public record SnapshotPolicy(String snapshotType, int schemaVersion, int everyEvents, int whenReplayedMoreThan) {

  /** No snapshots: every load replays the whole stream. */
  public static final SnapshotPolicy NONE = new SnapshotPolicy("none", 1, 0, 0);

  public SnapshotPolicy {
    if (everyEvents < 0 || whenReplayedMoreThan < 0) {
      throw new IllegalArgumentException("snapshot thresholds must be >= 0");
    }
    if (schemaVersion < 1) {
      throw new IllegalArgumentException("schemaVersion must be >= 1");
    }
    try {
      Snapshot.of("probe", snapshotType, schemaVersion, 1, "{}"); // the type must be one a snapshot can carry
    } catch (InvalidEventException | NullPointerException e) {
      throw new IllegalArgumentException("Snapshot policy: " + e.getMessage(), e);
    }
  }

  public static SnapshotPolicy everyEvents(String snapshotType, int schemaVersion, int n) {
    return new SnapshotPolicy(snapshotType, schemaVersion, n, 0);
  }

  public static SnapshotPolicy whenReplayedMoreThan(String snapshotType, int schemaVersion, int n) {
    return new SnapshotPolicy(snapshotType, schemaVersion, 0, n);
  }

  public boolean enabled() {
    return everyEvents > 0 || whenReplayedMoreThan > 0;
  }
}
