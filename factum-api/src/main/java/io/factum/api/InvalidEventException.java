package io.factum.api;

/**
 * An argument broke a rule of the contract: a malformed stream id or event type, data that is not
 * the JSON its content type claims, an event or append over the size limit, an empty batch. The
 * message names the rule and the value. Nothing was written.
 */
public class InvalidEventException extends FactumException {

  public InvalidEventException(String message) {
    super(message);
  }
}
