package io.factum.client;

import io.factum.api.EventTooLargeException;
import io.factum.api.ExpectedVersion;
import io.factum.api.FactumException;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.InvalidEventException;
import io.factum.api.StorageException;
import io.factum.api.WrongExpectedVersionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * HTTP requests to one server, and the translation of its JSON errors back into the exceptions of
 * {@code io.factum.api}, so a caller cannot tell a remote store from a local one by its failures.
 */
final class Transport {

  /** A response: status and body. */
  record Response(int status, byte[] body) {}

  private final HttpClient http;
  private final URI base;
  private final ClientOptions options;

  Transport(URI base, ClientOptions options) {
    this.base = base;
    this.options = options;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(options.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  HttpClient http() {
    return http;
  }

  URI base() {
    return base;
  }

  /** {@code /streams/} + the id as one encoded path segment, and so on for every argument. */
  static String path(String... segments) {
    StringBuilder b = new StringBuilder();
    for (String s : segments) {
      b.append('/').append(encodeSegment(s));
    }
    return b.toString();
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters (so {@code /} becomes {@code %2F}). */
  static String encodeSegment(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
        if (c == '.' && (s.equals(".") || s.equals(".."))) {
          b.append("%2E"); // a segment of dots would be read as a relative path
        } else {
          b.append((char) c);
        }
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }

  /** A query string ({@code ?a=1&b=x}) from name/value pairs, skipping null values. */
  static String query(List<Map.Entry<String, String>> params) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> p : params) {
      if (p.getValue() == null) {
        continue;
      }
      b.append(b.length() == 0 ? '?' : '&').append(p.getKey()).append('=').append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
    }
    return b.toString();
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(base.resolve(pathAndQuery.substring(1))).timeout(options.requestTimeout());
  }

  /**
   * Sends a request; retried once when the connection failed and {@code idempotent} (a reused pooled
   * connection the server had closed, typically).
   *
   * @throws StorageException when the server cannot be reached or fails
   */
  Response send(HttpRequest request, boolean idempotent) {
    IOException last = null;
    for (int attempt = 0; attempt < (idempotent ? 2 : 1); attempt++) {
      try {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Response(r.statusCode(), r.body());
      } catch (HttpTimeoutException e) {
        throw new StorageException("The Factum server at " + base + " did not answer " + request.method() + " "
            + request.uri().getPath() + " within " + options.requestTimeout().toSeconds() + " s"
            + (idempotent ? "" : "; the request may or may not have been applied: retry it with the same event ids"), e);
      } catch (ConnectException e) {
        throw unreachable(e);
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("Interrupted while waiting for the Factum server at " + base, e);
      }
    }
    throw new StorageException("The connection to the Factum server at " + base + " failed during " + request.method() + " "
        + request.uri().getPath() + ": " + last
        + (idempotent ? "" : "; the request may or may not have been applied: retry it with the same event ids"), last);
  }

  StorageException unreachable(Exception cause) {
    return new StorageException("Cannot reach the Factum server at " + base + " (" + cause
        + "); is it running? Start one with: factum serve", cause);
  }

  /** The exception a JSON error response stands for. */
  static FactumException error(Response r) {
    Json.Doc d;
    try {
      d = Json.doc(r.body());
    } catch (StorageException e) {
      return new StorageException("The server answered " + r.status() + " with a body that is not a Factum error: "
          + new String(r.body(), 0, Math.min(200, r.body().length), StandardCharsets.UTF_8));
    }
    String code = d.string("error") == null ? "" : d.string("error");
    String message = d.string("message") == null ? code : d.string("message");
    switch (code) {
      case "invalid_request":
        return new InvalidEventException(message);
      case "too_large":
        return new EventTooLargeException(message);
      case "wrong_expected_version":
        return new WrongExpectedVersionException(d.string("stream_id"), ExpectedVersion.parse(d.string("expected")), d.number("actual", -1));
      case "idempotency_conflict":
        return new IdempotencyConflictException(d.string("stream_id"), UUID.fromString(d.string("event_id")), d.string("reason"));
      default:
        return new StorageException("The Factum server answered " + r.status() + " " + code + ": " + message);
    }
  }
}
