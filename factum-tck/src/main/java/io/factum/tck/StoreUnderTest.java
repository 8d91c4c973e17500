package io.factum.tck;

import io.factum.api.EventStore;

/** Gives each contract the store of the running test. Implemented by {@link EventStoreTck}. */
public interface StoreUnderTest {

  /** The fresh, empty store of the running test; closed after it. */
  EventStore store();
}
