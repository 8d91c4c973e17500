package io.factum.core.command;

import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.api.Snapshot;
import io.factum.core.codec.JsonEventCodec;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Loads a stream's state: the latest usable snapshot, then only the events after it, read in pages
 * and folded with the decider's {@code evolve}. Saves snapshots as its {@link SnapshotPolicy} says.
 * A snapshot of another type or schema version, or one that no longer fits the state class, is
 * ignored (the state is rebuilt from events), never mis-read. Thread-safe.
 */
public final class AggregateLoader<S, E> {

  private static final System.Logger LOG = System.getLogger(AggregateLoader.class.getName());
  private static final int PAGE = 1000;

  private final EventStore store;
  private final JsonEventCodec codec;
  private final Decider<?, S, E> decider;
  private final Class<S> stateType;
  private final Class<E> eventType;
  private final SnapshotPolicy policy;

  /** A loaded state: the state at {@code version}, the snapshot version it started from, events replayed. */
  public record Loaded<S>(S state, long version, long snapshotVersion, int eventsReplayed) {}

  public AggregateLoader(EventStore store, JsonEventCodec codec, Decider<?, S, E> decider, Class<S> stateType, Class<E> eventType,
      SnapshotPolicy policy) {
    this.store = store;
    this.codec = codec;
    this.decider = decider;
    this.stateType = stateType;
    this.eventType = eventType;
    this.policy = policy;
  }

  public Loaded<S> load(String streamId) {
    S state = decider.initialState();
    long version = 0;
    long snapshotVersion = 0;
    Optional<S> fromSnapshot = Optional.empty();
    if (policy.enabled()) {
      Optional<Snapshot> snapshot = store.snapshots().load(streamId);
      if (snapshot.isPresent() && usable(snapshot.get())) {
        fromSnapshot = read(snapshot.get());
        if (fromSnapshot.isPresent()) {
          state = fromSnapshot.get();
          version = snapshot.get().version();
          snapshotVersion = version;
        }
      }
    }
    int replayed = 0;
    while (true) {
      List<RecordedEvent> page = version == Long.MAX_VALUE ? List.of() : store.readStream(streamId, version + 1, PAGE);
      if (page.isEmpty() && replayed == 0 && snapshotVersion > 0 && store.streamVersion(streamId).orElse(0) < snapshotVersion) {
        // A snapshot beyond the stream (saved by mistake) would make every command conflict: load from the
        // events, and delete it — left in place it would block every later snapshot (the store keeps the
        // highest version) and be taken for the truth once the stream reaches its version.
        LOG.log(Level.WARNING, "Snapshot of " + streamId + " at version " + snapshotVersion + " is beyond the stream; deleting it"
            + " and rebuilding from events");
        store.snapshots().delete(streamId);
        state = decider.initialState();
        version = 0;
        snapshotVersion = 0;
        continue;
      }
      for (RecordedEvent e : page) {
        state = decider.evolve(state, codec.decode(e, eventType));
        version = e.version();
        replayed++;
      }
      if (page.size() < PAGE) {
        break;
      }
    }
    if (policy.whenReplayedMoreThan() > 0 && replayed > policy.whenReplayedMoreThan()) {
      saveSnapshot(streamId, state, version);
      snapshotVersion = version;
    }
    return new Loaded<>(state, version, snapshotVersion, replayed);
  }

  /** After an append that brought the stream to {@code version}: snapshot if the policy asks for it. */
  void appended(String streamId, S state, long version, long lastSnapshotVersion) {
    if (policy.everyEvents() > 0 && version - lastSnapshotVersion >= policy.everyEvents()) {
      saveSnapshot(streamId, state, version);
    }
  }

  private boolean usable(Snapshot s) {
    return s.snapshotType().equals(policy.snapshotType()) && s.schemaVersion() == policy.schemaVersion();
  }

  private Optional<S> read(Snapshot s) {
    try {
      S state = codec.mapper().readValue(s.data(), stateType);
      if (state == null) {
        LOG.log(Level.WARNING, "Snapshot of " + s.streamId() + " at version " + s.version() + " holds JSON null; rebuilding from events");
      }
      return Optional.ofNullable(state);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Snapshot of " + s.streamId() + " at version " + s.version() + " does not fit " + stateType.getName()
          + " (" + e.getMessage() + "); rebuilding from events. Bump the snapshot schema version when the state changes.");
      return Optional.empty();
    }
  }

  private void saveSnapshot(String streamId, S state, long version) {
    if (state == null) {
      return; // a null state (a decider's "deleted", say) could not be read back: loads ignore such snapshots
    }
    try {
      byte[] json = codec.mapper().writeValueAsBytes(state);
      store.snapshots().save(new Snapshot(streamId, policy.snapshotType(), policy.schemaVersion(), version, json, Instant.now()));
    } catch (IOException | RuntimeException e) {
      // A snapshot is an optimisation: failing to take one must not fail the command.
      LOG.log(Level.WARNING, "Could not snapshot " + streamId + " at version " + version + ": " + e);
    }
  }
}
