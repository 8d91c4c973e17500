package io.factum.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.factum.api.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;

/**
 * Parses the body of {@code PUT /streams/{id}/snapshot}: {@code {"snapshot_type": "Order",
 * "schema_version": 1, "version": 50, "data": {…}}}. Strict like {@link AppendBody}; {@code data} is
 * kept byte for byte.
 */
final class SnapshotBody {

  private static final String EXAMPLE = "; send {\"snapshot_type\":\"Order\",\"schema_version\":1,\"version\":50,\"data\":{...}}"
      + " (created_at optional)";

  private SnapshotBody() {}

  static Snapshot parse(String streamId, byte[] body) {
    try (JsonParser p = Requests.jsonParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw ApiException.invalid("The body must be a JSON object" + EXAMPLE);
      }
      String type = null;
      Integer schemaVersion = null;
      Long version = null;
      byte[] data = null;
      Instant createdAt = null;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "snapshot_type":
            if (v != JsonToken.VALUE_STRING) {
              throw ApiException.invalid("'snapshot_type' must be a string, got " + AppendBody.describe(v));
            }
            type = p.getText();
            break;
          case "schema_version":
            if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
              throw ApiException.invalid("'schema_version' must be a whole number >= 1, got " + AppendBody.describe(v));
            }
            schemaVersion = p.getIntValue();
            break;
          case "version":
            if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
              throw ApiException.invalid("'version' must be a whole number >= 1, got " + AppendBody.describe(v));
            }
            version = p.getLongValue();
            break;
          case "data":
            int start = (int) p.currentTokenLocation().getByteOffset();
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
              p.skipChildren();
            } else if (v == JsonToken.VALUE_STRING) {
              p.finishToken();
            }
            data = Arrays.copyOfRange(body, start, (int) p.currentLocation().getByteOffset());
            break;
          case "created_at":
            if (v != JsonToken.VALUE_STRING) {
              throw ApiException.invalid("'created_at' must be an ISO-8601 instant such as \"2026-11-26T10:15:30Z\", got " + AppendBody.describe(v));
            }
            try {
              createdAt = Instant.parse(p.getText());
            } catch (java.time.format.DateTimeParseException e) {
              throw ApiException.invalid("'created_at' must be an ISO-8601 instant such as \"2026-11-26T10:15:30Z\", got \"" + AppendBody.clip(p.getText()) + "\"");
            }
            break;
          case "stream_id":
            // An echo of a snapshot read from GET is accepted; the path names the stream.
            p.skipChildren();
            break;
          default:
            throw ApiException.invalid("Unknown field '" + AppendBody.clip(field) + "'" + EXAMPLE);
        }
      }
      if (p.nextToken() != null) {
        throw ApiException.invalid("The body has content after the object" + EXAMPLE);
      }
      if (type == null || schemaVersion == null || version == null || data == null) {
        throw ApiException.invalid("A snapshot needs snapshot_type, schema_version, version and data" + EXAMPLE);
      }
      return new Snapshot(streamId, type, schemaVersion, version, data, createdAt == null ? Instant.now() : createdAt);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("The body is not valid JSON: " + e.getOriginalMessage() + EXAMPLE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
