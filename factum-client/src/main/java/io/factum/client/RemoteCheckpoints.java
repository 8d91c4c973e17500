package io.factum.client;

import io.factum.api.CheckpointStore;
import io.factum.api.ReadArguments;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** The server's checkpoint store, over {@code /checkpoints}. */
final class RemoteCheckpoints implements CheckpointStore {

  private final FactumClient client;

  RemoteCheckpoints(FactumClient client) {
    this.client = client;
  }

  @Override
  public OptionalLong load(String name) {
    ReadArguments.checkCheckpointName(name);
    Transport.Response r = client.send(Transport.Call.get(Transport.path("checkpoints", name)), true);
    if (r.status() == 404) {
      return OptionalLong.empty();
    }
    if (r.status() != 200) {
      throw Transport.error(r);
    }
    return OptionalLong.of(Json.doc(r.body()).number("position", 0));
  }

  @Override
  public void save(String name, long position) {
    ReadArguments.checkCheckpoint(name, position);
    Transport.Call put = Transport.Call.put(Transport.path("checkpoints", name), Json.positionBody(position));
    Transport.Response r = client.send(put, true);
    if (r.status() != 200) {
      throw Transport.error(r);
    }
  }

  @Override
  public void delete(String name) {
    ReadArguments.checkCheckpointName(name);
    Transport.Response r = client.send(Transport.Call.delete(Transport.path("checkpoints", name)), true);
    if (r.status() != 204 && r.status() != 200) {
      throw Transport.error(r);
    }
  }

  @Override
  public Map<String, Long> all() {
    Transport.Response r = client.send(Transport.Call.get("/checkpoints"), true);
    if (r.status() != 200) {
      throw Transport.error(r);
    }
    Map<String, Long> out = new LinkedHashMap<>();
    List<Json.Doc> items = Json.objects(r.body(), "checkpoints");
    for (Json.Doc d : items) {
      out.put(d.string("name"), d.number("position", 0));
    }
    return out;
  }
}
