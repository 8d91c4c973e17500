package io.factum.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.factum.api.EventData;
import io.factum.api.InvalidEventException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Parses the body of {@code POST /streams/{id}}: one event object or a non-empty array of them, with
 * the fields {@code event_id?, event_type, schema_version?, data, metadata?, content_type?}.
 *
 * <p>Strict, so mistakes surface instead of being half-stored: unknown or repeated fields, wrong
 * types and trailing content are rejected with a message naming the event and the field. JSON
 * {@code data} and {@code metadata} are kept byte for byte as sent (sliced out of the body, not
 * re-encoded); data of another content type is sent as a base64 string.
 */
final class AppendBody {

  private static final Set<String> FIELDS = Set.of("event_id", "event_type", "schema_version", "data", "metadata", "content_type");
  private static final String EXAMPLE = "{\"event_type\":\"OrderPlaced\",\"data\":{\"total\":42}}";

  private AppendBody() {}

  /**
   * The events in {@code body}.
   *
   * @throws ApiException 400 for malformed JSON or fields
   * @throws InvalidEventException for an event that breaks a rule of {@link EventData}
   */
  static List<EventData> parse(byte[] body) {
    if (body.length == 0 || isBlank(body)) {
      throw ApiException.invalid("The request body is empty; send one event object or an array of them, e.g. " + EXAMPLE);
    }
    try (JsonParser p = Requests.jsonParser(body)) {
      JsonToken first = p.nextToken();
      List<EventData> events = new ArrayList<>();
      if (first == JsonToken.START_OBJECT) {
        events.add(event(p, body, 0, false));
      } else if (first == JsonToken.START_ARRAY) {
        int k = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (t != JsonToken.START_OBJECT) {
            throw ApiException.invalid("Event #" + k + " of the array is " + describe(t) + ", not an object such as " + EXAMPLE);
          }
          events.add(event(p, body, k++, true));
        }
        if (events.isEmpty()) {
          throw ApiException.invalid("The array of events is empty; an append needs at least one event, e.g. [" + EXAMPLE + "]");
        }
      } else {
        throw ApiException.invalid("The request body is " + describe(first) + "; send one event object or an array of them, e.g. " + EXAMPLE);
      }
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        throw ApiException.invalid("The request body has content after the " + (first == JsonToken.START_ARRAY ? "array" : "event")
            + " (at byte " + p.currentTokenLocation().getByteOffset() + "); send exactly one JSON value");
      }
      return events;
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("The request body is not valid JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (at byte " + e.getLocation().getByteOffset() + ")"));
    } catch (IOException e) {
      throw ApiException.invalid("The request body could not be read: " + e.getMessage());
    }
  }

  /** Reads one event object; the parser is at its START_OBJECT and is left at its END_OBJECT. */
  private static EventData event(JsonParser p, byte[] body, int index, boolean inArray) throws IOException {
    String where = inArray ? "Event #" + index + ": " : "";
    UUID id = null;
    String type = null;
    int schemaVersion = 1;
    byte[] jsonData = null;
    String textData = null;
    byte[] metadata = null;
    String contentType = null;
    boolean hasData = false;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if (!FIELDS.contains(field)) {
        throw ApiException.invalid(where + "unknown field '" + field + "'" + hint(field) + "; the fields are " + String.join(", ", sorted()));
      }
      switch (field) {
        case "event_id":
          if (v == JsonToken.VALUE_NULL) {
            break;
          }
          id = uuid(p, v, where);
          break;
        case "event_type":
          if (v != JsonToken.VALUE_STRING) {
            throw ApiException.invalid(where + "'event_type' must be a string such as \"OrderPlaced\", got " + describe(v));
          }
          type = p.getText();
          break;
        case "schema_version":
          if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 1) {
            throw ApiException.invalid(where + "'schema_version' must be a whole number >= 1, got " + describe(v) + textOf(p, v));
          }
          schemaVersion = p.getIntValue();
          break;
        case "data":
          hasData = true;
          if (v == JsonToken.VALUE_STRING) {
            textData = p.getText();
          }
          jsonData = slice(p, v, body);
          break;
        case "metadata":
          if (v == JsonToken.VALUE_NULL) {
            break;
          }
          if (v != JsonToken.START_OBJECT) {
            throw ApiException.invalid(where + "'metadata' must be a JSON object such as {\"correlation_id\":\"c-1\"}, got " + describe(v));
          }
          metadata = slice(p, v, body);
          break;
        case "content_type":
          if (v != JsonToken.VALUE_STRING) {
            throw ApiException.invalid(where + "'content_type' must be a string such as \"application/octet-stream\", got " + describe(v));
          }
          contentType = p.getText();
          break;
        default:
          throw new IllegalStateException(field);
      }
    }
    if (type == null) {
      throw ApiException.invalid(where + "'event_type' is missing; every event needs one, e.g. " + EXAMPLE);
    }
    if (!hasData) {
      throw ApiException.invalid(where + "'data' is missing; use {} for an event without data");
    }
    byte[] data = jsonData;
    if (contentType != null && !EventData.isJson(contentType.trim())) {
      if (textData == null) {
        throw ApiException.invalid(where + "'data' of content type '" + contentType + "' must be a base64 string");
      }
      try {
        data = Base64.getDecoder().decode(textData);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid(where + "'data' of content type '" + contentType + "' is not valid base64: " + e.getMessage());
      }
    }
    return new EventData(id, type, schemaVersion, data, metadata, contentType);
  }

  private static UUID uuid(JsonParser p, JsonToken v, String where) throws IOException {
    if (v != JsonToken.VALUE_STRING) {
      throw ApiException.invalid(where + "'event_id' must be a UUID string, got " + describe(v));
    }
    String text = p.getText();
    try {
      UUID id = UUID.fromString(text);
      if (text.length() != 36) {
        throw new IllegalArgumentException("not in canonical form");
      }
      return id;
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(where + "'event_id' \"" + clip(text) + "\" is not a UUID such as \"0192b5c4-7c1e-7cc3-9d5e-3f1a2b4c5d6e\"");
    }
  }

  /** The exact bytes of the value the parser is at; leaves the parser at the value's last token. */
  private static byte[] slice(JsonParser p, JsonToken v, byte[] body) throws IOException {
    int start = (int) p.currentTokenLocation().getByteOffset();
    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
      p.skipChildren();
    } else if (v == JsonToken.VALUE_STRING) {
      p.finishToken();
    }
    int end = (int) p.currentLocation().getByteOffset();
    return Arrays.copyOfRange(body, start, end);
  }

  private static String textOf(JsonParser p, JsonToken v) throws IOException {
    return v != null && v.isScalarValue() ? " (" + clip(p.getText()) + ")" : "";
  }

  static String describe(JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
        return "an integer";
      case VALUE_NUMBER_FLOAT:
        return "a decimal number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return t.asString() == null ? t.name() : "'" + t.asString() + "'";
    }
  }

  private static String hint(String field) {
    String normal = field.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    if (FIELDS.contains(normal)) {
      return " (did you mean '" + normal + "'?)";
    }
    if (normal.equals("type") || normal.equals("eventtype")) {
      return " (did you mean 'event_type'?)";
    }
    if (normal.equals("id") || normal.equals("eventid")) {
      return " (did you mean 'event_id'?)";
    }
    return "";
  }

  private static List<String> sorted() {
    return List.of("event_id", "event_type", "schema_version", "data", "metadata", "content_type");
  }

  static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }
}
