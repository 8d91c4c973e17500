package io.factum.core.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns the JSON of an event stored at one (type, schema version) into the next shape, on read.
 * Stored events are never rewritten: upcasters run every time an old event is decoded. The node
 * passed in is a private copy; change it freely.
 */
@FunctionalInterface
public interface Upcaster {
  Upcast upcast(ObjectNode data);
}
