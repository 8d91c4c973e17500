package io.factum.client;

import java.time.Duration;

/**
 * How a {@link FactumClient} talks to the server.
 *
 * @param connectTimeout how long to wait for a TCP connection, default 5 s
 * @param requestTimeout how long to wait for a response to an ordinary request, default 60 s
 * @param reconnectDelay the first wait before an event stream reconnects after losing its connection;
 *     doubled after each failed attempt up to {@code maxReconnectDelay}; default 100 ms
 * @param maxReconnectDelay the longest wait between reconnect attempts, default 5 s
 * @param streamIdleTimeout an event stream that receives nothing (not even a heartbeat) for this long
 *     is considered dead and reconnected; default 45 s, three of the server's default heartbeats
 */
public record ClientOptions(
    Duration connectTimeout, Duration requestTimeout, Duration reconnectDelay, Duration maxReconnectDelay, Duration streamIdleTimeout) {

  /** The defaults listed above. */
  public static final ClientOptions DEFAULT = new ClientOptions(
      Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(45));

  public ClientOptions {
    positive(connectTimeout, "connectTimeout");
    positive(requestTimeout, "requestTimeout");
    positive(reconnectDelay, "reconnectDelay");
    positive(maxReconnectDelay, "maxReconnectDelay");
    positive(streamIdleTimeout, "streamIdleTimeout");
    if (maxReconnectDelay.compareTo(reconnectDelay) < 0) {
      throw new IllegalArgumentException("maxReconnectDelay (" + maxReconnectDelay + ") must be >= reconnectDelay (" + reconnectDelay + ")");
    }
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
    }
  }

  public ClientOptions withRequestTimeout(Duration value) {
    return new ClientOptions(connectTimeout, value, reconnectDelay, maxReconnectDelay, streamIdleTimeout);
  }

  public ClientOptions withReconnectDelay(Duration first, Duration max) {
    return new ClientOptions(connectTimeout, requestTimeout, first, max, streamIdleTimeout);
  }

  public ClientOptions withStreamIdleTimeout(Duration value) {
    return new ClientOptions(connectTimeout, requestTimeout, reconnectDelay, maxReconnectDelay, value);
  }
}
