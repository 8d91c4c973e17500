package io.factum.core.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.RecordedEvent;
import io.factum.core.UuidV7;
import java.io.IOException;
import java.time.Instant;

/**
 * Who asked for a command and why, written into the metadata of every event it produces with the
 * guide's well-known keys: {@code correlation_id} (the whole conversation), {@code causation_id} (the
 * message that directly caused it), {@code user_id}, and {@code timestamp}. Any of them may be
 * {@code null}; a command without a correlation id starts a new conversation.
 */
public record CommandContext(String correlationId, String causationId, String userId) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** No context: the command starts a new conversation. */
  public static CommandContext none() {
    return new CommandContext(null, null, null);
  }

  /** A command issued by a user, starting a new conversation. */
  public static CommandContext byUser(String userId) {
    return new CommandContext(null, null, userId);
  }

  /**
   * A command caused by an event (a process manager or policy reacting to it): same conversation
   * (the event's {@code correlation_id}, or the event itself if it had none), caused by the event,
   * on behalf of the event's user.
   */
  public static CommandContext causedBy(RecordedEvent trigger) {
    JsonNode meta = parse(trigger);
    String correlation = text(meta, "correlation_id");
    return new CommandContext(correlation != null ? correlation : trigger.eventId().toString(), trigger.eventId().toString(),
        text(meta, "user_id"));
  }

  public CommandContext withUser(String user) {
    return new CommandContext(correlationId, causationId, user);
  }

  public CommandContext withCorrelation(String correlation) {
    return new CommandContext(correlation, causationId, userId);
  }

  /** The metadata JSON for one command's events; a missing correlation id is filled with a fresh one. */
  String metadataJson(Instant timestamp) {
    ObjectNode m = JSON.createObjectNode();
    m.put("correlation_id", correlationId != null ? correlationId : UuidV7.next().toString());
    if (causationId != null) {
      m.put("causation_id", causationId);
    }
    if (userId != null) {
      m.put("user_id", userId);
    }
    m.put("timestamp", timestamp.toString());
    return m.toString();
  }

  private static JsonNode parse(RecordedEvent e) {
    try {
      return JSON.readTree(e.metadata());
    } catch (IOException ex) {
      return JSON.createObjectNode();
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
