package io.factum.tck;

/**
 * The contract of a store that keeps its events: the whole {@link EventStoreTck} plus {@link
 * DurabilityContract}. A backend implements {@link #createStore()} (fresh, empty storage) and {@link
 * #reopenStore()} (the storage of the last created store, opened again).
 */
public abstract class DurableStoreTck extends EventStoreTck implements DurabilityContract {

  /** Opens the storage of the store {@link #createStore()} last returned (which is closed by then). */
  protected abstract io.factum.api.EventStore reopenStore() throws Exception;

  @Override
  public final void reopen() throws Exception {
    store().close();
    replaceStore(reopenStore());
  }
}
