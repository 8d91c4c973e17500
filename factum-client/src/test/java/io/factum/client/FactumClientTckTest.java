package io.factum.client;

import io.factum.api.EventStore;
import io.factum.embedded.EmbeddedEventStore;
import io.factum.server.FactumServer;
import io.factum.server.ServerOptions;
import io.factum.tck.DurableStoreTck;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole contract through the wire: each test starts a real server (HTTP on loopback, embedded
 * storage in a fresh directory) and runs against a {@link FactumClient} connected to it. Reopening
 * restarts the server on the same directory.
 */
class FactumClientTckTest extends DurableStoreTck {

  @TempDir
  Path dir;

  private FactumServer server;

  private FactumServer startServer() {
    return FactumServer.startOwning(EmbeddedEventStore.open(dir.resolve("store")),
        ServerOptions.DEFAULT.withPort(0).withStorageName("embedded"));
  }

  @Override
  protected EventStore createStore() {
    server = startServer();
    return FactumClient.connect(server.uri(), ClientOptions.DEFAULT);
  }

  @Override
  protected EventStore reopenStore() {
    server.close();
    server = startServer();
    return FactumClient.connect(server.uri(), ClientOptions.DEFAULT);
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }
}
