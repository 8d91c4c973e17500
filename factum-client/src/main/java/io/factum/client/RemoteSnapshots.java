package io.factum.client;

import io.factum.api.InvalidEventException;
import io.factum.api.Snapshot;
import io.factum.api.SnapshotStore;
import io.factum.api.StreamIds;
import java.util.Optional;

/** The server's snapshot store, over {@code /streams/{id}/snapshot}. */
final class RemoteSnapshots implements SnapshotStore {

  private final FactumClient client;

  RemoteSnapshots(FactumClient client) {
    this.client = client;
  }

  @Override
  public Optional<Snapshot> load(String streamId) {
    StreamIds.requireValid(streamId);
    Transport.Response r = client.send(Transport.Call.get(Transport.path("streams", streamId, "snapshot")), true);
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (r.status() != 200) {
      throw Transport.error(r);
    }
    return Optional.of(Json.snapshot(r.body()));
  }

  @Override
  public void save(Snapshot snapshot) {
    if (snapshot == null) {
      throw new InvalidEventException("Snapshot is missing");
    }
    Transport.Call put = Transport.Call.put(Transport.path("streams", snapshot.streamId(), "snapshot"), Json.snapshotBody(snapshot));
    Transport.Response r = client.send(put, true);
    if (r.status() != 200) {
      throw Transport.error(r);
    }
  }

  @Override
  public void delete(String streamId) {
    StreamIds.requireValid(streamId);
    Transport.Response r = client.send(Transport.Call.delete(Transport.path("streams", streamId, "snapshot")), true);
    if (r.status() != 204 && r.status() != 200) {
      throw Transport.error(r);
    }
  }
}
