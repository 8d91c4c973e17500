package io.factum.examples.order;

import io.factum.api.EventStore;
import io.factum.core.InMemoryEventStore;

class InMemoryOrderDomainTest extends OrderDomainContract {
  @Override
  protected EventStore createStore() {
    return InMemoryEventStore.create();
  }
}
