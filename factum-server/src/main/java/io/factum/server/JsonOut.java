package io.factum.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.factum.api.AppendResult;
import io.factum.api.RecordedEvent;
import io.factum.api.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes the HTTP API's JSON: the event envelope with the guide's field names, append results,
 * snapshots. Stored JSON ({@code data}, {@code metadata}) is copied byte for byte, never re-encoded;
 * non-JSON data is written as a base64 string next to its {@code content_type}.
 */
final class JsonOut implements AutoCloseable {

  static final JsonFactory FACTORY = JsonFactory.builder().build();

  private final ByteArrayOutputStream buffer;
  private final JsonGenerator g;

  private JsonOut(ByteArrayOutputStream buffer) {
    this.buffer = buffer;
    try {
      this.g = FACTORY.createGenerator((OutputStream) buffer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A writer into a fresh buffer. */
  static JsonOut create() {
    return new JsonOut(new ByteArrayOutputStream(256));
  }

  JsonGenerator generator() {
    return g;
  }

  /** Finishes writing and returns the bytes. */
  byte[] bytes() {
    try {
      g.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  @Override
  public void close() {
    try {
      g.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes one event as the envelope object. */
  // The envelope's field names, encoded once: writing a plain String name escapes it char by char,
  // which was the largest single cost of serving reads.
  private static final SerializedString EVENT_ID = new SerializedString("event_id");
  private static final SerializedString STREAM_ID = new SerializedString("stream_id");
  private static final SerializedString EVENT_TYPE = new SerializedString("event_type");
  private static final SerializedString VERSION = new SerializedString("version");
  private static final SerializedString SCHEMA_VERSION = new SerializedString("schema_version");
  private static final SerializedString CONTENT_TYPE = new SerializedString("content_type");
  private static final SerializedString DATA = new SerializedString("data");
  private static final SerializedString METADATA = new SerializedString("metadata");
  private static final SerializedString GLOBAL_POSITION = new SerializedString("global_position");
  private static final SerializedString CREATED_AT = new SerializedString("created_at");

  static void envelope(JsonGenerator g, RecordedEvent e) throws IOException {
    g.writeStartObject();
    g.writeFieldName(EVENT_ID);
    g.writeString(e.eventId().toString());
    g.writeFieldName(STREAM_ID);
    g.writeString(e.streamId());
    g.writeFieldName(EVENT_TYPE);
    g.writeString(e.eventType());
    g.writeFieldName(VERSION);
    g.writeNumber(e.version());
    g.writeFieldName(SCHEMA_VERSION);
    g.writeNumber(e.schemaVersion());
    g.writeFieldName(CONTENT_TYPE);
    g.writeString(e.contentType());
    g.writeFieldName(DATA);
    if (e.isJson()) {
      g.writeRawValue(new RawJson(e.dataBuffer()));
    } else {
      g.writeBinary(e.data());
    }
    g.writeFieldName(METADATA);
    g.writeRawValue(new RawJson(e.metadataBuffer()));
    g.writeFieldName(GLOBAL_POSITION);
    g.writeNumber(e.globalPosition());
    g.writeFieldName(CREATED_AT);
    g.writeString(e.createdAt().toString());
    g.writeEndObject();
  }

  /** One event's envelope as bytes. */
  static byte[] envelope(RecordedEvent e) {
    try (JsonOut out = create()) {
      envelope(out.g, e);
      return out.bytes();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  static byte[] appendResult(AppendResult r) {
    try (JsonOut out = create()) {
      JsonGenerator g = out.g;
      g.writeStartObject();
      g.writeStringField("stream_id", r.streamId());
      g.writeNumberField("first_version", r.firstVersion());
      g.writeNumberField("last_version", r.lastVersion());
      g.writeNumberField("first_position", r.firstPosition());
      g.writeNumberField("last_position", r.lastPosition());
      g.writeBooleanField("already_appended", r.alreadyAppended());
      g.writeEndObject();
      return out.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void snapshot(JsonGenerator g, Snapshot s) throws IOException {
    g.writeStartObject();
    g.writeStringField("stream_id", s.streamId());
    g.writeStringField("snapshot_type", s.snapshotType());
    g.writeNumberField("schema_version", s.schemaVersion());
    g.writeNumberField("version", s.version());
    g.writeFieldName("data");
    g.writeRawValue(new RawJson(ByteBuffer.wrap(s.data())));
    g.writeStringField("created_at", s.createdAt().toString());
    g.writeEndObject();
  }

  /**
   * Stored JSON bytes spliced into the output as they are. Well-formed by construction: the store
   * only keeps JSON that passed validation.
   */
  static final class RawJson implements SerializableString {
    private final ByteBuffer bytes;

    RawJson(ByteBuffer bytes) {
      this.bytes = bytes;
    }

    private byte[] array() {
      byte[] a = new byte[bytes.remaining()];
      bytes.duplicate().get(a);
      return a;
    }

    @Override
    public String getValue() {
      return new String(array(), StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
      return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return array();
    }

    @Override
    public byte[] asQuotedUTF8() {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
      int n = bytes.remaining();
      if (offset + n > buffer.length) {
        return -1;
      }
      bytes.duplicate().get(buffer, offset, n);
      return n;
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
      String s = getValue();
      if (offset + s.length() > buffer.length) {
        return -1;
      }
      s.getChars(0, s.length(), buffer, offset);
      return s.length();
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
      byte[] a = array();
      out.write(a);
      return a.length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
      int n = bytes.remaining();
      if (n > buffer.remaining()) {
        return -1;
      }
      buffer.put(bytes.duplicate());
      return n;
    }
  }
}
