package io.factum.api;

/**
 * The root of every error Factum raises on purpose.
 *
 * <p>Each subclass carries the facts a caller needs to react (the stream, the expected and actual
 * versions, the offending event id) and a message that says what to do next. A {@code
 * FactumException} from a write means nothing was written unless the subclass says otherwise.
 */
public class FactumException extends RuntimeException {

  public FactumException(String message) {
    super(message);
  }

  public FactumException(String message, Throwable cause) {
    super(message, cause);
  }
}
