package io.factum.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The state of a stream's aggregate at a version, saved so a load can start there instead of at
 * version 1 (the guide's {@code snapshots} table).
 *
 * @param streamId the stream it summarises
 * @param snapshotType what kind of state it holds (e.g. {@code Order}); a reader ignores a type it
 *     does not expect
 * @param schemaVersion the version of that state's shape; a reader ignores a snapshot of another
 *     schema version and rebuilds from events instead of mis-reading it
 * @param version the stream version the state includes (the last event applied)
 * @param data the state as a JSON value (UTF-8)
 * @param createdAt when it was taken
 */
public record Snapshot(String streamId, String snapshotType, int schemaVersion, long version, byte[] data, Instant createdAt) {

  public Snapshot {
    StreamIds.requireValid(streamId);
    String typeProblem = Names.problem(snapshotType);
    if (typeProblem != null) {
      throw new InvalidEventException("Snapshot type " + Names.quote(snapshotType) + " " + typeProblem);
    }
    if (schemaVersion < 1) {
      throw new InvalidEventException("Snapshot schema version must be >= 1, got " + schemaVersion);
    }
    if (version < 1) {
      throw new InvalidEventException("A snapshot is taken at a stream version >= 1, got " + version);
    }
    Objects.requireNonNull(createdAt, "createdAt");
    if (data == null) {
      throw new InvalidEventException("Snapshot data is missing");
    }
    String why = JsonSyntax.check(data);
    if (why != null) {
      throw new InvalidEventException("Snapshot data of '" + streamId + "' is not valid JSON: " + why);
    }
    data = data.clone();
  }

  /** A snapshot of JSON state taken now. */
  public static Snapshot of(String streamId, String snapshotType, int schemaVersion, long version, String json) {
    if (json == null) {
      throw new InvalidEventException("Snapshot data is missing");
    }
    byte[] bytes = JsonSyntax.utf8(json);
    if (bytes == null) {
      throw new InvalidEventException("Snapshot data of '" + streamId + "' holds half of a surrogate pair (a character cut in two);"
          + " it cannot be encoded as UTF-8");
    }
    return new Snapshot(streamId, snapshotType, schemaVersion, version, bytes, Instant.now());
  }

  /** A copy of the state bytes. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  public String dataAsString() {
    return new String(data, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Snapshot && streamId.equals(((Snapshot) o).streamId) && snapshotType.equals(((Snapshot) o).snapshotType)
        && schemaVersion == ((Snapshot) o).schemaVersion && version == ((Snapshot) o).version
        && Arrays.equals(data, ((Snapshot) o).data) && createdAt.equals(((Snapshot) o).createdAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(streamId, snapshotType, schemaVersion, version);
  }

  @Override
  public String toString() {
    return "Snapshot[" + streamId + "@" + version + ", " + snapshotType + " v" + schemaVersion + ", " + data.length + " bytes]";
  }
}
