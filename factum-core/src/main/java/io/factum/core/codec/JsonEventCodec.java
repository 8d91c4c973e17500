package io.factum.core.codec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.factum.api.EventData;
import io.factum.api.InvalidEventException;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Maps Java event types to stored events and back: a registry of (event type name, schema version) ↔
 * class, JSON by Jackson, and upcasters that bring old stored shapes up to the current one on read.
 *
 * <pre>{@code
 * JsonEventCodec codec = JsonEventCodec.builder()
 *     .register(OrderPlaced.class, "OrderPlaced", 3)
 *     .upcast("OrderCreated", 1, json -> Upcast.to("OrderPlaced", 2, json))   // a renamed type
 *     .upcast("OrderPlaced", 2, json -> Upcast.to("OrderPlaced", 3, json.put("currency", "EUR")))
 *     .build();
 * EventData data = codec.encode(new OrderPlaced(...));
 * Object event = codec.decode(recorded);   // an OrderPlaced, whatever version was stored
 * }</pre>
 *
 * <p>JSON uses snake_case property names (as the guide's envelope does) and ignores properties it
 * does not know, so adding fields never breaks an older reader. An event whose type or version has no
 * mapping raises {@link UnknownEventTypeException}; it is never silently dropped. Immutable and
 * thread-safe.
 */
public final class JsonEventCodec {

  private record Current(String eventType, int schemaVersion) {}

  private record Key(String eventType, int schemaVersion) {}

  private final ObjectMapper mapper;
  private final Map<Class<?>, Current> byClass;
  private final Map<String, Class<?>> byType;
  private final Map<String, Integer> currentVersion;
  private final Map<Key, Upcaster> upcasters;

  private JsonEventCodec(Builder b) {
    this.mapper = b.mapper;
    this.byClass = Map.copyOf(b.byClass);
    this.byType = Map.copyOf(b.byType);
    this.currentVersion = Map.copyOf(b.currentVersion);
    this.upcasters = Map.copyOf(b.upcasters);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The mapper configured for Factum's JSON conventions: snake_case, java.time, tolerant reads. */
  public static ObjectMapper defaultMapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** The event as {@link EventData}: its registered type name and current schema version, JSON data. */
  public EventData encode(Object event) {
    Objects.requireNonNull(event, "event");
    Current c = byClass.get(event.getClass());
    if (c == null) {
      throw new InvalidEventException("No event type is registered for " + event.getClass().getName()
          + "; register it with JsonEventCodec.builder().register(" + event.getClass().getSimpleName() + ".class, \"Name\", 1)");
    }
    String json;
    try {
      json = mapper.writeValueAsString(event);
    } catch (IOException e) {
      throw new InvalidEventException("Cannot serialise " + event.getClass().getName() + " to JSON: " + e.getMessage());
    }
    if (!json.startsWith("{")) {
      // decode (and every upcaster) works on objects: such an event could be stored but never read back
      throw new InvalidEventException(event.getClass().getName() + " serialises to " + abbreviate(json)
          + ", not a JSON object; events must be JSON objects: give the event a field (a record component) instead");
    }
    return EventData.json(c.eventType(), json).withSchemaVersion(c.schemaVersion());
  }

  /** The registered type name of a class, or {@code null}. */
  public String typeOf(Class<?> eventClass) {
    Current c = byClass.get(eventClass);
    return c == null ? null : c.eventType();
  }

  /**
   * The event as its registered Java type, upcast from whatever version was stored.
   *
   * @throws UnknownEventTypeException if no registered type or upcaster chain leads to it
   */
  public Object decode(RecordedEvent event) {
    if (!event.isJson()) {
      throw new UnknownEventTypeException(event, "Event " + event.eventId() + " (" + event.eventType() + ") holds "
          + event.contentType() + ", not JSON; read its bytes with RecordedEvent.data()");
    }
    ObjectNode node;
    try {
      JsonNode tree = mapper.readTree(event.data());
      if (!(tree instanceof ObjectNode)) {
        throw new UnknownEventTypeException(event, "Event " + event.eventId() + " (" + event.eventType()
            + ") holds a JSON " + tree.getNodeType() + ", not an object; it cannot map to a class");
      }
      node = (ObjectNode) tree;
    } catch (IOException e) {
      throw new UnknownEventTypeException(event, "Event " + event.eventId() + " has unreadable JSON: " + e.getMessage());
    }
    String type = event.eventType();
    int version = event.schemaVersion();
    Set<Key> seen = null; // only events being upcast need one
    while (true) {
      Integer current = currentVersion.get(type);
      if (current != null && current == version) {
        break;
      }
      Key key = new Key(type, version);
      Upcaster up = upcasters.get(key);
      if (up == null) {
        throw new UnknownEventTypeException(event, describeMissing(event, type, version, current));
      }
      if (seen == null) {
        seen = new HashSet<>();
      }
      if (!seen.add(key)) {
        throw new UnknownEventTypeException(event, where(event) + " cannot be upcast: the upcasters from '" + type + "' v" + version
            + " lead back to it (a cycle); each upcaster must move to a later version or another type");
      }
      Upcast next;
      try {
        next = up.upcast(node);
      } catch (RuntimeException e) {
        throw new UnknownEventTypeException(event, where(event) + " could not be upcast from '" + type + "' v" + version + ": " + e, e);
      }
      if (next == null) {
        throw new UnknownEventTypeException(event, where(event) + " could not be upcast: the upcaster from '" + type + "' v" + version
            + " returned null");
      }
      type = next.eventType();
      version = next.schemaVersion();
      node = next.data();
    }
    try {
      return mapper.treeToValue(node, byType.get(type));
    } catch (IOException e) {
      throw new UnknownEventTypeException(event, "Event " + event.eventId() + " (" + type + " v" + version
          + ") does not fit " + byType.get(type).getName() + ": " + e.getMessage());
    }
  }

  /** {@link #decode(RecordedEvent)} checked against an expected type. */
  public <T> T decode(RecordedEvent event, Class<T> type) {
    Object decoded = decode(event);
    if (!type.isInstance(decoded)) {
      throw new UnknownEventTypeException(event, "Event " + event.eventId() + " decodes to " + decoded.getClass().getName()
          + ", not " + type.getName());
    }
    return type.cast(decoded);
  }

  private static String where(RecordedEvent event) {
    return "Event " + event.eventId() + " in " + event.streamId() + "@" + event.version();
  }

  private static String abbreviate(String json) {
    return json.length() <= 40 ? json : json.substring(0, 40) + "…";
  }

  private String describeMissing(RecordedEvent event, String type, int version, Integer current) {
    String where = where(event);
    boolean upcast = !type.equals(event.eventType()) || version != event.schemaVersion();
    if (upcast) {
      where += " (stored as '" + event.eventType() + "' v" + event.schemaVersion() + ", upcast so far to '" + type + "' v" + version + ")";
    }
    if (current == null) {
      return where + " has type '" + type + "' (schema v" + version + "), which is not registered; register a class for it"
          + " or an upcaster from it";
    }
    if (version > current) {
      return upcast
          ? where + " went past the registered v" + current + " of '" + type + "'; an upcaster skips it — check the upcasters' target versions"
          : where + " is '" + type + "' v" + version + ", newer than the registered v" + current
              + "; it was written by newer code — upgrade this reader";
    }
    return where + " is '" + type + "' v" + version + " and there is no upcaster from v" + version
        + " (the registered version is v" + current + "); add .upcast(\"" + type + "\", " + version + ", …)";
  }

  /** Builds a {@link JsonEventCodec}. */
  public static final class Builder {
    private ObjectMapper mapper = defaultMapper();
    private final Map<Class<?>, Current> byClass = new HashMap<>();
    private final Map<String, Class<?>> byType = new HashMap<>();
    private final Map<String, Integer> currentVersion = new HashMap<>();
    private final Map<Key, Upcaster> upcasters = new HashMap<>();

    /** Uses {@code mapper} instead of {@link #defaultMapper()}. */
    public Builder mapper(ObjectMapper value) {
      this.mapper = Objects.requireNonNull(value);
      return this;
    }

    /** Maps {@code eventClass} to the event type {@code eventType}, whose current schema version is {@code schemaVersion}. */
    public Builder register(Class<?> eventClass, String eventType, int schemaVersion) {
      EventData.json(eventType, "{}").withSchemaVersion(schemaVersion); // validates name and version
      if (byType.containsKey(eventType) && byType.get(eventType) != eventClass) {
        throw new IllegalArgumentException("Event type '" + eventType + "' is already registered for " + byType.get(eventType).getName());
      }
      if (byClass.containsKey(eventClass) && !byClass.get(eventClass).eventType().equals(eventType)) {
        throw new IllegalArgumentException(eventClass.getName() + " is already registered as '" + byClass.get(eventClass).eventType() + "'");
      }
      byClass.put(eventClass, new Current(eventType, schemaVersion));
      byType.put(eventType, eventClass);
      currentVersion.put(eventType, schemaVersion);
      return this;
    }

    /** Upcasts stored events of {@code eventType} at {@code fromVersion} one step (possibly to another type). */
    public Builder upcast(String eventType, int fromVersion, Upcaster upcaster) {
      Objects.requireNonNull(upcaster, "upcaster");
      if (upcasters.put(new Key(eventType, fromVersion), upcaster) != null) {
        throw new IllegalArgumentException("An upcaster from '" + eventType + "' v" + fromVersion + " is already registered");
      }
      return this;
    }

    /**
     * The codec.
     *
     * @throws IllegalArgumentException if an upcaster starts at a type's registered current version:
     *     it would never run (events at the current version are decoded as they are)
     */
    public JsonEventCodec build() {
      for (Key k : upcasters.keySet()) {
        Integer current = currentVersion.get(k.eventType());
        if (current != null && current == k.schemaVersion()) {
          throw new IllegalArgumentException("The upcaster from '" + k.eventType() + "' v" + k.schemaVersion() + " would never run: v"
              + current + " is the registered current version of '" + k.eventType() + "'. Upcasters start at older versions;"
              + " to rename a type, register the class under the new name only");
        }
      }
      return new JsonEventCodec(this);
    }
  }
}
