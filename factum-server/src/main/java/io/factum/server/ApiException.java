package io.factum.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the server answers with a JSON error: {@code {"error": code, "message": …, …facts}}.
 * Thrown by request parsing and handlers; turned into a response in one place ({@link HttpApi}).
 */
final class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final Map<String, Object> facts;

  ApiException(int status, String code, String message) {
    this(status, code, message, Map.of());
  }

  ApiException(int status, String code, String message, Map<String, Object> facts) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.facts = new LinkedHashMap<>(facts);
  }

  static ApiException invalid(String message) {
    return new ApiException(400, "invalid_request", message);
  }

  static ApiException tooLarge(String message) {
    return new ApiException(413, "too_large", message);
  }

  static ApiException notFound(String code, String message) {
    return new ApiException(404, code, message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** Extra fields of the error object besides {@code error} and {@code message}, in order. */
  Map<String, Object> facts() {
    return facts;
  }
}
