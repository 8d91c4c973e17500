package io.factum.client;

import io.factum.api.EventTooLargeException;
import io.factum.api.ExpectedVersion;
import io.factum.api.FactumException;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.InvalidEventException;
import io.factum.api.StorageException;
import io.factum.api.WrongExpectedVersionException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * HTTP requests to one server, and the translation of its JSON errors back into the exceptions of
 * {@code io.factum.api}, so a caller cannot tell a remote store from a local one by its failures.
 *
 * <p>Requests run on the caller's thread over pooled keep-alive connections (Apache HttpClient 5,
 * classic API). The JDK's {@code java.net.http} client was measured first: it hands every exchange
 * between the caller, a selector thread and an executor, and on a 2-core machine that cost 2.6 times
 * the latency of a blocking client for a single-event append (docs/server.md).
 */
final class Transport implements AutoCloseable {

  /** A response: status and body. */
  record Response(int status, byte[] body) {}

  /**
   * A request: method, path with its query (from the server's base), an optional JSON body and an
   * optional {@code Expected-Version} header.
   */
  record Call(String method, String path, byte[] body, String expectedVersion) {
    static Call get(String path) {
      return new Call("GET", path, null, null);
    }

    static Call delete(String path) {
      return new Call("DELETE", path, null, null);
    }

    static Call put(String path, byte[] json) {
      return new Call("PUT", path, json, null);
    }

    static Call post(String path, byte[] json, String expectedVersion) {
      return new Call("POST", path, json, expectedVersion);
    }
  }

  /**
   * An open response whose body is read as it arrives (an event stream). {@link #abort()} may be
   * called from any thread and makes a blocked read fail at once; {@link #close()} releases it.
   */
  static final class Streamed implements AutoCloseable {
    private final HttpUriRequestBase request;
    private final ClassicHttpResponse response;

    private Streamed(HttpUriRequestBase request, ClassicHttpResponse response) {
      this.request = request;
      this.response = response;
    }

    int status() {
      return response.getCode();
    }

    InputStream body() throws IOException {
      return response.getEntity() == null ? InputStream.nullInputStream() : response.getEntity().getContent();
    }

    /** Drops the connection: an unfinished stream must not be drained for reuse. */
    void abort() {
      request.cancel();
    }

    @Override
    public void close() {
      abort();
      try {
        response.close();
      } catch (IOException ignored) {
        // the connection is already discarded
      }
    }
  }

  /**
   * Connections kept per server. An event stream holds one for as long as it is open, so this bounds
   * the open subscriptions plus concurrent requests of one client.
   */
  private static final int MAX_CONNECTIONS = 10_000;
  private static final TimeValue IDLE_EVICTION = TimeValue.ofSeconds(30);

  private final CloseableHttpClient http;
  private final URI base;
  private final ClientOptions options;

  Transport(URI base, ClientOptions options) {
    this.base = base;
    this.options = options;
    PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnTotal(MAX_CONNECTIONS)
        .setMaxConnPerRoute(MAX_CONNECTIONS)
        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
        .setDefaultConnectionConfig(ConnectionConfig.custom()
            .setConnectTimeout(timeout(options.connectTimeout()))
            .setSocketTimeout(timeout(options.requestTimeout()))
            // A connection idle this long is checked before reuse: the server may have closed it,
            // and a request without event ids must not be sent into a dead connection (no retry).
            .setValidateAfterInactivity(TimeValue.ofSeconds(1))
            .build())
        .build();
    this.http = HttpClients.custom()
        .setConnectionManager(connections)
        .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout(options.requestTimeout())).build())
        .disableAutomaticRetries() // send() decides what may be retried
        .evictIdleConnections(IDLE_EVICTION) // before the server's own idle timeout (60 s by default)
        .disableRedirectHandling()
        .disableCookieManagement()
        // Pages of envelopes compress well, but on loopback and LAN the gzip work costs more than it
        // saves: reads measured 1.9 times faster without it. The server still compresses for
        // clients that ask (curl --compressed, browsers).
        .disableContentCompression()
        .disableAuthCaching()
        .setUserAgent("factum-client")
        .build();
  }

  private static Timeout timeout(Duration d) {
    return Timeout.ofMilliseconds(Math.max(1, d.toMillis()));
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

  private HttpUriRequestBase request(Call call) {
    HttpUriRequestBase r = new HttpUriRequestBase(call.method(), base.resolve(call.path().substring(1)));
    if (call.body() != null) {
      r.setEntity(new ByteArrayEntity(call.body(), ContentType.APPLICATION_JSON));
    }
    if (call.expectedVersion() != null) {
      r.setHeader("Expected-Version", call.expectedVersion());
    }
    return r;
  }

  /**
   * Sends a request; retried once when the connection failed and {@code idempotent} (a reused pooled
   * connection the server had closed, typically).
   *
   * @throws StorageException when the server cannot be reached or fails
   */
  Response send(Call call, boolean idempotent) {
    IOException last = null;
    for (int attempt = 0; attempt < (idempotent ? 2 : 1); attempt++) {
      try {
        return http.execute(request(call), r -> new Response(r.getCode(),
            r.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(r.getEntity())));
      } catch (ConnectException | ConnectTimeoutException e) {
        throw unreachable(e);
      } catch (SocketTimeoutException e) {
        throw new StorageException("The Factum server at " + base + " did not answer " + call.method() + " "
            + pathOnly(call) + " within " + options.requestTimeout().toSeconds() + " s"
            + (idempotent ? "" : "; the request may or may not have been applied: retry it with the same event ids"), e);
      } catch (IOException e) {
        last = e;
      }
    }
    throw new StorageException("The connection to the Factum server at " + base + " failed during " + call.method() + " "
        + pathOnly(call) + ": " + last
        + (idempotent ? "" : "; the request may or may not have been applied: retry it with the same event ids"), last);
  }

  /**
   * Opens a {@code GET} whose body is read as it arrives, waiting at most {@code readTimeout} for any
   * byte; the caller closes it.
   */
  Streamed stream(String path, Duration readTimeout) throws IOException {
    HttpUriRequestBase r = request(Call.get(path));
    r.setHeader("Accept", "text/event-stream");
    r.setConfig(RequestConfig.custom().setResponseTimeout(timeout(readTimeout)).build());
    try {
      return new Streamed(r, http.executeOpen(null, r, null));
    } catch (ConnectException | ConnectTimeoutException e) {
      throw unreachable(e);
    }
  }

  private static String pathOnly(Call call) {
    int q = call.path().indexOf('?');
    return q < 0 ? call.path() : call.path().substring(0, q);
  }

  /** Closes every pooled connection. */
  @Override
  public void close() {
    http.close(CloseMode.IMMEDIATE);
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
