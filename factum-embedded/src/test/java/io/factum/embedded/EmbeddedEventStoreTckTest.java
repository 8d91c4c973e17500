package io.factum.embedded;

import io.factum.api.EventStore;
import io.factum.tck.EventStoreTck;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store against the whole contract, each test in a fresh directory. */
class EmbeddedEventStoreTckTest extends EventStoreTck {

  @TempDir
  Path dir;

  @Override
  protected EventStore createStore() {
    return EmbeddedEventStore.open(dir.resolve("store"));
  }
}
