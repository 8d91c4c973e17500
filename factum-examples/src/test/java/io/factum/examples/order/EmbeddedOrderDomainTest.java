package io.factum.examples.order;

import io.factum.api.EventStore;
import io.factum.embedded.EmbeddedEventStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedOrderDomainTest extends OrderDomainContract {
  @TempDir
  Path dir;

  @Override
  protected EventStore createStore() {
    return EmbeddedEventStore.open(dir.resolve("store"));
  }
}
