package io.factum.api;

/** The store was used after {@link EventStore#close()}. Open a new one. */
public final class StoreClosedException extends FactumException {

  public StoreClosedException(String message) {
    super(message);
  }
}
