package io.factum.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * An event as stored: the caller's {@link EventData} plus its stream, its version in that stream
 * (dense from 1), its global position (dense from 1, the order events became visible) and the time it
 * was recorded.
 *
 * <p>Immutable to its readers: {@link #data()} and {@link #metadata()} return copies. The canonical
 * constructor, used by backends, takes ownership of the arrays it is given (no copy), so a backend
 * must not touch them afterwards.
 */
public record RecordedEvent(
    UUID eventId,
    String streamId,
    String eventType,
    long version,
    int schemaVersion,
    byte[] data,
    byte[] metadata,
    String contentType,
    long globalPosition,
    Instant createdAt) {

  public RecordedEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(streamId, "streamId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(createdAt, "createdAt");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, got " + version);
    }
    if (globalPosition < 1) {
      throw new IllegalArgumentException("globalPosition must be >= 1, got " + globalPosition);
    }
    if (schemaVersion < 1) {
      throw new IllegalArgumentException("schemaVersion must be >= 1, got " + schemaVersion);
    }
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

  /** Payload plus metadata size in bytes. */
  public int sizeInBytes() {
    return data.length + metadata.length;
  }

  /** The payload decoded as UTF-8. */
  public String dataAsString() {
    return new String(data, StandardCharsets.UTF_8);
  }

  /** The metadata decoded as UTF-8. */
  public String metadataAsString() {
    return new String(metadata, StandardCharsets.UTF_8);
  }

  /** The stream's category: the text of the stream id before the first {@code '-'}. */
  public String category() {
    return StreamIds.categoryOf(streamId);
  }

  /** Whether the payload is JSON. */
  public boolean isJson() {
    return EventData.isJson(contentType);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RecordedEvent)) {
      return false;
    }
    RecordedEvent e = (RecordedEvent) o;
    return eventId.equals(e.eventId) && streamId.equals(e.streamId) && eventType.equals(e.eventType)
        && version == e.version && schemaVersion == e.schemaVersion && Arrays.equals(data, e.data)
        && Arrays.equals(metadata, e.metadata) && contentType.equals(e.contentType)
        && globalPosition == e.globalPosition && createdAt.equals(e.createdAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, streamId, version, globalPosition);
  }

  @Override
  public String toString() {
    return "RecordedEvent[" + streamId + "@" + version + ", position=" + globalPosition + ", type=" + eventType
        + ", id=" + eventId + ", schemaVersion=" + schemaVersion + ", contentType=" + contentType + ", "
        + data.length + " data bytes, createdAt=" + createdAt + "]";
  }
}
