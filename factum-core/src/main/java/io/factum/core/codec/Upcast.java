package io.factum.core.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One step of schema evolution: the event as it becomes, its type (possibly renamed), its schema
 * version and its data. Returned by an {@link Upcaster}.
 */
public record Upcast(String eventType, int schemaVersion, ObjectNode data) {

  public Upcast {
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(data, "data");
    if (schemaVersion < 1) {
      throw new IllegalArgumentException("schemaVersion must be >= 1");
    }
  }

  /** The event as {@code eventType} version {@code schemaVersion}, with {@code data}. */
  public static Upcast to(String eventType, int schemaVersion, ObjectNode data) {
    return new Upcast(eventType, schemaVersion, data);
  }
}
