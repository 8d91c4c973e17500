package io.factum.api;

import java.util.UUID;

/**
 * An append reused event ids in a way that cannot be an idempotent retry: only some of the batch's
 * ids are already stored, or they are stored in another stream or another order. Nothing was written.
 *
 * <p>A retry of an earlier append must send the very same ids in the very same order to the same
 * stream; new events need new ids.
 */
public final class IdempotencyConflictException extends FactumException {

  private final String streamId;
  private final UUID eventId;
  private final String reason;

  public IdempotencyConflictException(String streamId, UUID eventId, String reason) {
    super("Event id " + eventId + " in the append to stream '" + streamId + "' conflicts with a stored event: "
        + reason + ". A retry must resend exactly the original batch; new events need new ids.");
    this.streamId = streamId;
    this.eventId = eventId;
    this.reason = reason;
  }

  /** Why the id conflicts, e.g. that it is stored in another stream. */
  public String reason() {
    return reason;
  }

  /** The stream the rejected append targeted. */
  public String streamId() {
    return streamId;
  }

  /** The first event id of the batch that conflicts. */
  public UUID eventId() {
    return eventId;
  }
}
