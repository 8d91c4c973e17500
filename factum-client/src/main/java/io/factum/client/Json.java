package io.factum.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import io.factum.api.Snapshot;
import io.factum.api.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The wire format of the Factum HTTP API on the client side. Stored JSON ({@code data}, {@code
 * metadata}) travels byte for byte: it is written raw into requests and sliced raw out of responses.
 * Unknown fields in responses are ignored, so newer servers can add some.
 */
final class Json {

  static final JsonFactory FACTORY = JsonFactory.builder().build();

  private Json() {}

  /** The body of an append: an array of event objects. */
  static byte[] appendBody(List<EventData> events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartArray();
      for (EventData e : events) {
        g.writeStartObject();
        if (e.eventId() != null) {
          g.writeStringField("event_id", e.eventId().toString());
        }
        g.writeStringField("event_type", e.eventType());
        g.writeNumberField("schema_version", e.schemaVersion());
        if (!e.isJson()) {
          g.writeStringField("content_type", e.contentType());
          g.writeFieldName("data");
          g.writeBinary(e.data());
        } else {
          if (!e.contentType().equals(EventData.JSON)) {
            g.writeStringField("content_type", e.contentType());
          }
          g.writeFieldName("data");
          g.writeRawValue(e.dataAsString());
        }
        g.writeFieldName("metadata");
        g.writeRawValue(e.metadataAsString());
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  static byte[] snapshotBody(Snapshot s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("snapshot_type", s.snapshotType());
      g.writeNumberField("schema_version", s.schemaVersion());
      g.writeNumberField("version", s.version());
      g.writeFieldName("data");
      g.writeRawValue(s.dataAsString());
      g.writeStringField("created_at", s.createdAt().toString());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  static byte[] positionBody(long position) {
    return ("{\"position\":" + position + "}").getBytes(StandardCharsets.US_ASCII);
  }

  /** A parsed JSON object of scalar fields; raw JSON of object and array fields under their names. */
  static final class Doc {
    final Map<String, Object> fields = new HashMap<>();

    String string(String name) {
      Object v = fields.get(name);
      return v instanceof String ? (String) v : null;
    }

    long number(String name, long fallback) {
      Object v = fields.get(name);
      return v instanceof Number ? ((Number) v).longValue() : fallback;
    }

    boolean bool(String name) {
      return Boolean.TRUE.equals(fields.get(name));
    }

    byte[] raw(String name) {
      Object v = fields.get(name);
      return v instanceof byte[] ? (byte[]) v : null;
    }
  }

  /** The top-level fields of a JSON object: scalars as values, other values as their raw bytes. */
  static Doc doc(byte[] body, String... rawFields) {
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      return object(p, body, List.of(rawFields));
    } catch (IOException e) {
      throw malformed(body, e);
    }
  }

  private static Doc object(JsonParser p, byte[] body, List<String> rawFields) throws IOException {
    Doc d = new Doc();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      d.fields.put(name, rawFields.contains(name) ? raw(p, v, body) : value(p, v, body));
    }
    return d;
  }

  private static Object value(JsonParser p, JsonToken v, byte[] body) throws IOException {
    switch (v) {
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? (Object) raw(p, v, body) : (Object) p.getLongValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        return raw(p, v, body);
    }
  }

  /** The exact bytes of the value the parser is at; leaves the parser on the value's last token. */
  static byte[] raw(JsonParser p, JsonToken v, byte[] body) throws IOException {
    int start = (int) p.currentTokenLocation().getByteOffset();
    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
      p.skipChildren();
    } else if (v == JsonToken.VALUE_STRING) {
      p.finishToken();
    }
    return Arrays.copyOfRange(body, start, (int) p.currentLocation().getByteOffset());
  }

  /** The envelopes in the array field {@code field} of a response object. */
  static List<RecordedEvent> events(byte[] body, String field) {
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      List<RecordedEvent> out = new ArrayList<>();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals(field) && v == JsonToken.START_ARRAY) {
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            out.add(event(p, body));
          }
        } else {
          p.skipChildren();
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw malformed(body, e);
    }
  }

  /** The objects in the array field {@code field} of a response object. */
  static List<Doc> objects(byte[] body, String field) {
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      List<Doc> out = new ArrayList<>();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals(field) && v == JsonToken.START_ARRAY) {
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            out.add(object(p, body, List.of()));
          }
        } else {
          p.skipChildren();
        }
      }
      return out;
    } catch (IOException e) {
      throw malformed(body, e);
    }
  }

  /** One envelope, as sent on an event stream's {@code data:} line. */
  static RecordedEvent event(byte[] envelope) {
    try (JsonParser p = FACTORY.createParser(envelope)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      return event(p, envelope);
    } catch (IOException | RuntimeException e) {
      throw malformed(envelope, e);
    }
  }

  /**
   * One envelope, the parser on its {@code START_OBJECT}. Read field by field (no intermediate map):
   * this runs for every event a client reads or receives.
   */
  private static RecordedEvent event(JsonParser p, byte[] body) throws IOException {
    String eventId = null;
    String streamId = null;
    String eventType = null;
    long version = 0;
    int schemaVersion = 1;
    String contentType = EventData.JSON;
    byte[] data = null;
    byte[] metadata = null;
    long position = 0;
    String createdAt = null;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "event_id" -> eventId = text(p, v, name);
        case "stream_id" -> streamId = text(p, v, name);
        case "event_type" -> eventType = text(p, v, name);
        case "content_type" -> contentType = text(p, v, name);
        case "created_at" -> createdAt = text(p, v, name);
        case "version" -> version = number(p, v, name);
        case "schema_version" -> schemaVersion = (int) number(p, v, name);
        case "global_position" -> position = number(p, v, name);
        case "data" -> data = raw(p, v, body);
        case "metadata" -> metadata = raw(p, v, body);
        default -> p.skipChildren(); // a field a newer server added
      }
    }
    if (data == null || eventId == null || createdAt == null) {
      throw new IOException("an event without data, event_id or created_at");
    }
    if (!EventData.isJson(contentType)) {
      // a base64 string: the raw value is its characters in quotes, no escapes
      data = Base64.getDecoder().decode(Arrays.copyOfRange(data, 1, data.length - 1));
    }
    return new RecordedEvent(UUID.fromString(eventId), streamId, eventType, version, schemaVersion, data,
        metadata != null ? metadata : new byte[] {'{', '}'}, contentType, position, instant(createdAt));
  }

  private static String text(JsonParser p, JsonToken v, String name) throws IOException {
    if (v != JsonToken.VALUE_STRING) {
      throw new IOException(name + " is not a string");
    }
    return p.getText();
  }

  private static long number(JsonParser p, JsonToken v, String name) throws IOException {
    if (v != JsonToken.VALUE_NUMBER_INT) {
      throw new IOException(name + " is not an integer");
    }
    return p.getLongValue();
  }

  /**
   * An ISO-8601 instant. The server writes {@link Instant#toString()} ({@code
   * 2026-11-26T23:39:10.123456Z}); that shape is read directly, anything else by {@link
   * Instant#parse}, which is several times slower.
   */
  static Instant instant(String s) {
    int n = s.length();
    if (n >= 20 && n <= 30 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T' && s.charAt(13) == ':'
        && s.charAt(16) == ':' && s.charAt(n - 1) == 'Z' && (n == 20 || s.charAt(19) == '.')) {
      int fraction = n - 21; // digits after the dot
      if (n == 20 || (fraction >= 1 && fraction <= 9)) {
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int nanos = n == 20 ? 0 : digits(s, 20, fraction) * POWERS[9 - fraction];
        if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0
            && minute <= 59 && second >= 0 && second <= 59 && nanos >= 0) {
          try {
            long days = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
          } catch (DateTimeException e) {
            // not a real date (February 30th): let the standard parser say so
          }
        }
      }
    }
    return Instant.parse(s);
  }

  private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

  /** The decimal number in {@code s[from, from + count)}, or -1 if a character is not a digit. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  static AppendResult appendResult(byte[] body) {
    Doc d = doc(body);
    return new AppendResult(d.string("stream_id"), d.number("first_version", 0), d.number("last_version", 0),
        d.number("first_position", 0), d.number("last_position", 0), d.bool("already_appended"));
  }

  static Snapshot snapshot(byte[] body) {
    Doc d = doc(body, "data");
    return new Snapshot(d.string("stream_id"), d.string("snapshot_type"), (int) d.number("schema_version", 1),
        d.number("version", 0), d.raw("data"), Instant.parse(d.string("created_at")));
  }

  static StorageException malformed(byte[] body, Exception cause) {
    String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return new StorageException("The server sent a response the client cannot read (" + cause.getMessage() + "): " + text
        + "; is the address a Factum server of a compatible version?", cause);
  }
}
