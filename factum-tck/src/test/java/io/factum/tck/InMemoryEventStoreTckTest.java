package io.factum.tck;

import io.factum.api.EventStore;
import io.factum.core.InMemoryEventStore;

/** The reference store against the whole contract. */
class InMemoryEventStoreTckTest extends EventStoreTck {

  @Override
  protected EventStore createStore() {
    return InMemoryEventStore.create();
  }
}
