package io.factum.api;

import java.util.Map;
import java.util.OptionalLong;

/**
 * Named positions in {@code $all}: where a subscription or projection has processed through (the
 * guide's {@code subscription_checkpoints}). Every {@link EventStore} has one ({@link
 * EventStore#checkpoints()}).
 *
 * <p>A name is 1–255 characters without control characters. A position is {@code >= 0}. On a durable
 * store, {@link #save} returns once the position is durable. Thread-safe.
 */
public interface CheckpointStore {

  /** The stored position of {@code name}, or empty if none was saved. */
  OptionalLong load(String name);

  /** Stores {@code position} under {@code name}, replacing what was there (also a smaller value: a reset). */
  void save(String name, long position);

  /** Removes {@code name}; nothing happens if it is absent. */
  void delete(String name);

  /** Every checkpoint, by name in ascending order. */
  Map<String, Long> all();
}
