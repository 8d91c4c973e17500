package io.factum.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * An event to append: what the caller provides; the store adds stream, version, position and time.
 *
 * <p>Invariants, checked on construction ({@link InvalidEventException} otherwise):
 *
 * <ul>
 *   <li>{@code eventType}: 1–255 characters, not blank, no control characters;
 *   <li>{@code schemaVersion} ≥ 1 (the version of this event type's schema, used for upcasting);
 *   <li>{@code contentType} defaults to {@value #JSON}; when it is JSON, {@code data} must be one
 *       well-formed JSON value in UTF-8 (without the escape {@code \u0000});
 *   <li>{@code metadata} is always a JSON object; {@code null} means {@code {}};
 *   <li>{@code eventId} may be {@code null}: the store then assigns a time-ordered UUID (v7). Set it
 *       yourself ({@link #withId(UUID)}) to make retries idempotent.
 * </ul>
 *
 * <p>Immutable: the byte arrays are copied in and out.
 */
public record EventData(UUID eventId, String eventType, int schemaVersion, byte[] data, byte[] metadata, String contentType) {

  /** The default content type. */
  public static final String JSON = "application/json";

  private static final byte[] EMPTY_OBJECT = {'{', '}'};

  /**
   * The instance a {@code with…} copy is being made from, on this thread: its arrays were validated
   * and are never mutated, so the copy shares them instead of checking and copying them again.
   */
  private static final ThreadLocal<EventData> COPYING = new ThreadLocal<>();

  /** A data array the {@code json} factory just encoded: nobody else holds it, so it needs no copy. */
  private static final ThreadLocal<byte[]> FRESH = new ThreadLocal<>();

  public EventData {
    EventData source = COPYING.get();
    String typeProblem = source != null && source.eventType.equals(eventType) ? null : Names.problem(eventType);
    if (typeProblem != null) {
      throw new InvalidEventException("Event type " + Names.quote(eventType) + " " + typeProblem
          + "; an event type is 1-255 characters without control characters, e.g. 'OrderPlaced'");
    }
    if (schemaVersion < 1) {
      throw new InvalidEventException("Schema version of event type '" + eventType + "' must be >= 1, got " + schemaVersion);
    }
    if (data == null) {
      throw new InvalidEventException("Data of event type '" + eventType + "' is missing; use {} for an event without data");
    }
    contentType = contentType == null ? JSON : contentType.trim();
    boolean knownContentType = contentType == JSON || (source != null && source.contentType.equals(contentType));
    String ctProblem = knownContentType ? null : Names.problem(contentType);
    if (ctProblem != null) {
      throw new InvalidEventException("Content type " + Names.quote(contentType) + " " + ctProblem);
    }
    boolean trustedData = source != null && source.data == data && source.contentType.equals(contentType);
    boolean trustedMetadata = source != null && source.metadata == metadata;
    if (!trustedData && isJson(contentType)) {
      String why = JsonSyntax.check(data);
      if (why != null) {
        throw new InvalidEventException("Data of event type '" + eventType + "' is not valid JSON: " + why
            + ". Send well-formed UTF-8 JSON, or set a non-JSON content type for binary data");
      }
    }
    if (metadata == null) {
      metadata = EMPTY_OBJECT;
      trustedMetadata = true;
    }
    if (!trustedMetadata) {
      String why = JsonSyntax.check(metadata);
      if (why != null) {
        throw new InvalidEventException("Metadata of event type '" + eventType + "' is not valid JSON: " + why);
      }
      if (!JsonSyntax.isObject(metadata)) {
        throw new InvalidEventException("Metadata of event type '" + eventType
            + "' must be a JSON object such as {\"correlation_id\":\"...\"}");
      }
      metadata = metadata.clone();
    }
    if (!trustedData && FRESH.get() != data) {
      data = data.clone();
    }
  }

  /** A copy made by a {@code with…} method: the unchanged arrays are shared, not re-checked. */
  private EventData copy(UUID id, int version, byte[] newMetadata) {
    COPYING.set(this);
    try {
      return new EventData(id, eventType, version, data, newMetadata, contentType);
    } finally {
      COPYING.set(null); // not remove(): the entry stays, so the next set() is a plain store
    }
  }

  /** A JSON event with schema version 1, empty metadata and no id yet. */
  public static EventData json(String eventType, String json) {
    byte[] data = utf8(json, "data", eventType);
    FRESH.set(data);
    try {
      return new EventData(null, eventType, 1, data, null, JSON);
    } finally {
      FRESH.set(null); // not remove(): the entry stays, so the next set() is a plain store
    }
  }

  /** A non-JSON event (any bytes) with the given content type, e.g. {@code application/octet-stream}. */
  public static EventData binary(String eventType, byte[] data, String contentType) {
    Objects.requireNonNull(contentType, "contentType");
    return new EventData(null, eventType, 1, data, null, contentType);
  }

  /** A copy with the given event id (retries with the same id are idempotent). */
  public EventData withId(UUID id) {
    return copy(id, schemaVersion, metadata);
  }

  /** A copy with the given metadata, a JSON object. */
  public EventData withMetadata(String json) {
    return copy(eventId, schemaVersion, utf8(json, "metadata", eventType));
  }

  /** A copy with the given schema version (≥ 1). */
  public EventData withSchemaVersion(int version) {
    return copy(eventId, version, metadata);
  }

  /** A copy of the payload bytes. */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /** A copy of the metadata bytes (a UTF-8 JSON object). */
  @Override
  public byte[] metadata() {
    return metadata.clone();
  }

  /** A read-only view of the payload, without copying. */
  public ByteBuffer dataBuffer() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer();
  }

  /** A read-only view of the metadata, without copying. */
  public ByteBuffer metadataBuffer() {
    return ByteBuffer.wrap(metadata).asReadOnlyBuffer();
  }

  /** Payload plus metadata size in bytes: what the store's size limits count. */
  public int sizeInBytes() {
    return (int) Math.min(Integer.MAX_VALUE, (long) data.length + metadata.length); // saturates: still over every limit
  }

  /** The payload decoded as UTF-8. */
  public String dataAsString() {
    return new String(data, StandardCharsets.UTF_8);
  }

  /** The metadata decoded as UTF-8. */
  public String metadataAsString() {
    return new String(metadata, StandardCharsets.UTF_8);
  }

  /** Whether the payload is JSON (content type {@code application/json}, parameters ignored). */
  public boolean isJson() {
    return isJson(contentType);
  }

  /** Whether a content type denotes JSON: {@code application/json}, parameters such as charset ignored. */
  public static boolean isJson(String contentType) {
    if (JSON.equals(contentType)) {
      return true;
    }
    int semi = contentType.indexOf(';');
    String media = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return media.toLowerCase(Locale.ROOT).equals(JSON);
  }

  private static byte[] utf8(String json, String what, String eventType) {
    if (json == null) {
      throw new InvalidEventException("The " + what + " of event type " + Names.quote(eventType) + " is missing");
    }
    byte[] bytes = JsonSyntax.utf8(json);
    if (bytes == null) {
      throw new InvalidEventException("The " + what + " of event type " + Names.quote(eventType)
          + " holds half of a surrogate pair (a character cut in two, by substring say); it cannot be encoded as UTF-8");
    }
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventData
        && Objects.equals(eventId, ((EventData) o).eventId)
        && eventType.equals(((EventData) o).eventType)
        && schemaVersion == ((EventData) o).schemaVersion
        && Arrays.equals(data, ((EventData) o).data)
        && Arrays.equals(metadata, ((EventData) o).metadata)
        && contentType.equals(((EventData) o).contentType);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, eventType, schemaVersion, Arrays.hashCode(data), Arrays.hashCode(metadata), contentType);
  }

  @Override
  public String toString() {
    return "EventData[eventId=" + eventId + ", eventType=" + eventType + ", schemaVersion=" + schemaVersion
        + ", contentType=" + contentType + ", " + data.length + " data bytes, " + metadata.length + " metadata bytes]";
  }
}
