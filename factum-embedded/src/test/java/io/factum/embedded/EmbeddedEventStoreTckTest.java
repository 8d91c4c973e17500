package io.factum.embedded;

import io.factum.api.EventStore;
import io.factum.tck.DurableStoreTck;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store against the whole contract, durability included, each test in a fresh directory. */
class EmbeddedEventStoreTckTest extends DurableStoreTck {

  @TempDir
  Path dir;

  @Override
  protected EventStore createStore() {
    return EmbeddedEventStore.open(dir.resolve("store"));
  }

  @Override
  protected EventStore reopenStore() {
    return EmbeddedEventStore.open(dir.resolve("store"));
  }
}
