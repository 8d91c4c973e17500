package io.factum.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to requests that never reach the API (a malformed request line, headers too large,
 * a URI it refuses) in the API's error format, {@code {"error":…,"message":…}}, instead of an HTML
 * page.
 */
final class JsonErrorHandler extends ErrorHandler {

  static String code(int status) {
    switch (status) {
      case 400:
        return "invalid_request";
      case 404:
        return "not_found";
      case 405:
        return "method_not_allowed";
      case 408:
        return "timeout";
      case 413:
      case 414:
      case 431:
        return "too_large";
      case 503:
        return "unavailable";
      default:
        return status >= 500 ? "internal" : "invalid_request";
    }
  }

  static byte[] body(int status, String message) {
    String m = message == null || message.isBlank() ? "HTTP " + status : message;
    StringBuilder b = new StringBuilder("{\"error\":\"").append(code(status)).append("\",\"message\":\"");
    for (char c : ("The request was refused before reaching the API: " + m).toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
      throws IOException {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
  }
}
