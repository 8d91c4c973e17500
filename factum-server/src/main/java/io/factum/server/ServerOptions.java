package io.factum.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link FactumServer} listens and treats its clients.
 *
 * @param host interface to bind; {@code 127.0.0.1} (the default) serves this machine only, {@code
 *     0.0.0.0} every interface (the server has no authentication yet: put it behind a proxy that has)
 * @param port TCP port, default 2113; {@code 0} picks a free one ({@link FactumServer#port()})
 * @param heartbeat how often an idle event stream gets a comment line, default 15 s
 * @param maxSubscribers open event streams allowed at once, default 1,000; more get 503
 * @param idleTimeout a connection with no traffic for this long is closed, default 60 s (event
 *     streams stay open through their heartbeats)
 * @param shutdownGrace how long {@link FactumServer#close()} waits for requests in flight, default 10 s
 * @param storageName what {@code /info} reports as the storage, e.g. {@code embedded}
 */
public record ServerOptions(
    String host, int port, Duration heartbeat, int maxSubscribers, Duration idleTimeout, Duration shutdownGrace, String storageName) {

  public static final int DEFAULT_PORT = 2113;

  /** Port 2113 on 127.0.0.1, heartbeats every 15 s, up to 1,000 event streams. */
  public static final ServerOptions DEFAULT =
      new ServerOptions("127.0.0.1", DEFAULT_PORT, Duration.ofSeconds(15), 1000, Duration.ofSeconds(60), Duration.ofSeconds(10), "custom");

  public ServerOptions {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + port);
    }
    if (heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("heartbeat must be positive, got " + heartbeat);
    }
    if (maxSubscribers < 1) {
      throw new IllegalArgumentException("maxSubscribers must be >= 1, got " + maxSubscribers);
    }
    if (idleTimeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("idleTimeout (" + idleTimeout + ") must be at least twice the heartbeat (" + heartbeat
          + "), or idle event streams would be cut");
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must be >= 0, got " + shutdownGrace);
    }
    Objects.requireNonNull(storageName, "storageName");
  }

  public ServerOptions withHost(String value) {
    return new ServerOptions(value, port, heartbeat, maxSubscribers, idleTimeout, shutdownGrace, storageName);
  }

  public ServerOptions withPort(int value) {
    return new ServerOptions(host, value, heartbeat, maxSubscribers, idleTimeout, shutdownGrace, storageName);
  }

  /** A copy with this heartbeat; the idle timeout grows to four heartbeats if it was shorter. */
  public ServerOptions withHeartbeat(Duration value) {
    Duration idle = idleTimeout.compareTo(value.multipliedBy(2)) < 0 ? value.multipliedBy(4) : idleTimeout;
    return new ServerOptions(host, port, value, maxSubscribers, idle, shutdownGrace, storageName);
  }

  public ServerOptions withMaxSubscribers(int value) {
    return new ServerOptions(host, port, heartbeat, value, idleTimeout, shutdownGrace, storageName);
  }

  public ServerOptions withIdleTimeout(Duration value) {
    return new ServerOptions(host, port, heartbeat, maxSubscribers, value, shutdownGrace, storageName);
  }

  public ServerOptions withShutdownGrace(Duration value) {
    return new ServerOptions(host, port, heartbeat, maxSubscribers, idleTimeout, value, storageName);
  }

  public ServerOptions withStorageName(String value) {
    return new ServerOptions(host, port, heartbeat, maxSubscribers, idleTimeout, shutdownGrace, value);
  }
}
