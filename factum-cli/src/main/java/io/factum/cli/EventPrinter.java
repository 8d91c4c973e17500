package io.factum.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Prints events one per line: readable columns, or the API's JSON envelope ({@code --json}). */
final class EventPrinter {

  private static final JsonFactory JSON = new JsonFactory();

  private final PrintWriter out;
  private final boolean json;

  EventPrinter(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  void print(RecordedEvent e) {
    out.println(json ? envelope(e) : columns(e));
    out.flush();
  }

  static String columns(RecordedEvent e) {
    String data = e.isJson() ? e.dataAsString().replaceAll("\\s*\\n\\s*", " ") : "<" + e.data().length + " bytes " + e.contentType() + ">";
    return String.format("%8d  %s@%d  %s  %s", e.globalPosition(), e.streamId(), e.version(), e.eventType(), data);
  }

  static String envelope(RecordedEvent e) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("event_id", e.eventId().toString());
      g.writeStringField("stream_id", e.streamId());
      g.writeStringField("event_type", e.eventType());
      g.writeNumberField("version", e.version());
      g.writeNumberField("schema_version", e.schemaVersion());
      g.writeStringField("content_type", e.contentType());
      g.writeFieldName("data");
      if (e.isJson()) {
        g.writeRawValue(e.dataAsString().replaceAll("[\\r\\n]", " "));
      } else {
        g.writeString(Base64.getEncoder().encodeToString(e.data()));
      }
      g.writeFieldName("metadata");
      g.writeRawValue(e.metadataAsString().replaceAll("[\\r\\n]", " "));
      g.writeNumberField("global_position", e.globalPosition());
      g.writeStringField("created_at", e.createdAt().toString());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return w.toString();
  }
}
