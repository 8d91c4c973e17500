package io.factum.cli;

import io.factum.server.FactumServer;
import io.factum.server.Logs;
import io.factum.server.ServerConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code factum serve}: runs the server until interrupted (Ctrl-C or SIGTERM shut it down gracefully). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the Factum server: the HTTP API, live subscriptions (Server-Sent Events), metrics and the web UI.",
      "Settings come from flags, then the --config file, then FACTUM_* environment variables (FACTUM_PORT, FACTUM_DATA, ...)."
    },
    footer = {"", "Example:  factum serve --port 2113 --data ./data", "          factum serve --storage postgres --jdbc-url jdbc:postgresql://localhost:5432/events"})
final class ServeCommand implements Callable<Integer> {

  @Option(names = "--port", paramLabel = "PORT", description = "TCP port (default 2113; 0 picks a free one).")
  String port;

  @Option(names = "--host", paramLabel = "HOST", description = "Interface to bind (default 127.0.0.1; 0.0.0.0 for all).")
  String host;

  @Option(names = "--data", paramLabel = "DIR", description = "Directory of the embedded store (default ./data).")
  String data;

  @Option(names = "--storage", paramLabel = "KIND", description = "embedded (default), memory or postgres.")
  String storage;

  @Option(names = "--jdbc-url", paramLabel = "URL", description = "PostgreSQL JDBC URL, for --storage postgres.")
  String jdbcUrl;

  @Option(names = "--jdbc-user", paramLabel = "USER", description = "PostgreSQL user.")
  String jdbcUser;

  @Option(names = "--jdbc-password", paramLabel = "PASSWORD", description = "PostgreSQL password (prefer FACTUM_JDBC_PASSWORD).")
  String jdbcPassword;

  @Option(names = "--pg-schema", paramLabel = "SCHEMA", description = "PostgreSQL schema for Factum's tables (default public).")
  String pgSchema;

  @Option(names = "--heartbeat-seconds", paramLabel = "N", description = "Heartbeat interval of idle event streams (default 15).")
  String heartbeat;

  @Option(names = "--max-subscribers", paramLabel = "N", description = "Event streams served at once (default 1000).")
  String maxSubscribers;

  @Option(names = "--idle-timeout-seconds", paramLabel = "N", description = "Close connections idle this long (default 60).")
  String idleTimeout;

  @Option(names = "--shutdown-grace-seconds", paramLabel = "N", description = "How long shutdown waits for requests in flight (default 10).")
  String shutdownGrace;

  @Option(names = "--log-format", paramLabel = "FORMAT", description = "text (default) or json (one object per line).")
  String logFormat;

  @Option(names = "--config", paramLabel = "FILE", description = "A properties file with the same keys (port=2113, data=./data, ...).")
  String config;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> flags = new HashMap<>();
    put(flags, "port", port);
    put(flags, "host", host);
    put(flags, "data", data);
    put(flags, "storage", storage);
    put(flags, "jdbc-url", jdbcUrl);
    put(flags, "jdbc-user", jdbcUser);
    put(flags, "jdbc-password", jdbcPassword);
    put(flags, "pg-schema", pgSchema);
    put(flags, "heartbeat-seconds", heartbeat);
    put(flags, "max-subscribers", maxSubscribers);
    put(flags, "idle-timeout-seconds", idleTimeout);
    put(flags, "shutdown-grace-seconds", shutdownGrace);
    put(flags, "log-format", logFormat);
    put(flags, "config", config);
    ServerConfig resolved = ServerConfig.resolve(flags, System.getenv());
    Logs.configure(resolved.logFormat());

    FactumServer server = FactumServer.open(resolved);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // java.util.logging closes its handlers at shutdown too, so these two lines go to stderr directly.
      System.err.println("factum: shutting down: finishing requests in flight, ending event streams");
      server.close();
      System.err.println("factum: stopped");
      stopped.countDown();
    }, "factum-shutdown"));
    System.out.println("Factum is serving " + resolved.describeStorage() + " at " + server.uri());
    System.out.println("  web UI:  " + server.uri() + "ui/");
    System.out.println("  try:     curl -X POST " + server.uri() + "streams/Order-1 -d '{\"event_type\":\"OrderPlaced\",\"data\":{\"total\":42}}'");
    System.out.println("Press Ctrl-C to stop.");
    System.out.flush();
    stopped.await();
    return 0;
  }

  private static void put(Map<String, String> flags, String key, String value) {
    if (value != null) {
      flags.put(key, value);
    }
  }
}
