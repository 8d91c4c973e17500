package io.factum.tck;

import io.factum.api.EventStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The Factum contract, as tests. A backend passes the TCK by extending this class with one factory
 * method that returns a fresh, empty store:
 *
 * <pre>{@code
 * class MyEventStoreTest extends EventStoreTck {
 *   protected EventStore createStore() { return MyEventStore.open(...); }
 * }
 * }</pre>
 *
 * The contract is split by concept into the interfaces this class implements; each test gets its own
 * store, closed afterwards.
 */
public abstract class EventStoreTck
    implements AppendContract,
        AsyncAppendContract,
        ExpectedVersionContract,
        GlobalOrderContract,
        ReadContract,
        IdempotencyContract,
        ValidationContract,
        ConcurrencyContract,
        SubscriptionContract,
        CheckpointSnapshotContract,
        NamedSubscriptionContract,
        CommandHandlingContract,
        SnapshottingContract,
        UpcastingContract,
        ProjectionContract {

  private EventStore store;

  /** A fresh, empty store for one test. */
  protected abstract EventStore createStore() throws Exception;

  @BeforeEach
  final void openStore() throws Exception {
    store = createStore();
  }

  @AfterEach
  final void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Override
  public final EventStore store() {
    return store;
  }

  /** Makes {@code replacement} the store of the running test (closed after it). */
  protected final void replaceStore(EventStore replacement) {
    store = replacement;
  }
}
