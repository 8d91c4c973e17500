package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.core.InMemoryEventStore;
import io.factum.tck.ForwardingEventStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown, configuration and logs: what an operator relies on. */
@Timeout(120)
class OperationsTest {

  /** A real store whose appends wait at a gate, to hold a request in flight. */
  static final class GatedStore extends ForwardingEventStore {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);

    GatedStore() {
      super(InMemoryEventStore.create());
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
      entered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return delegate.append(streamId, expected, events);
    }
  }

  @Test
  void shutdownLetsAnAppendInFlightFinishAndRefusesNewRequests() throws Exception {
    GatedStore store = new GatedStore();
    FactumServer server = FactumServer.startOwning(store, ServerOptions.DEFAULT.withPort(0).withShutdownGrace(Duration.ofSeconds(30)));
    Http http = new Http(server.uri());

    CompletableFuture<Http.Reply> inFlight = CompletableFuture.supplyAsync(() -> http.post("/streams/Order-1", "{\"event_type\":\"A\",\"data\":{}}"));
    assertThat(store.entered.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

    // While draining: the server is not ready and turns new work away.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Http.Reply ready = http.get("/health/ready");
    while (ready.status() != 503 && System.nanoTime() < deadline) {
      ready = http.get("/health/ready");
    }
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.json().path("status").asText()).isEqualTo("draining");
    Http.Reply refused = http.post("/streams/Order-2", "{\"event_type\":\"A\",\"data\":{}}");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.json().path("error").asText()).isEqualTo("unavailable");
    assertThat(closing).isNotDone();

    store.gate.countDown();
    Http.Reply done = inFlight.get(30, TimeUnit.SECONDS);
    assertThat(done.status()).isEqualTo(201);
    assertThat(done.json().path("last_position").asLong()).isEqualTo(1);
    closing.get(30, TimeUnit.SECONDS);
  }

  @Test
  void configurationComesFromFlagsThenFileThenEnvironment(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("factum.properties");
    Files.writeString(file, "port=3000\nstorage=memory\nheartbeat-seconds=5\n");
    Map<String, String> env = Map.of("FACTUM_PORT", "4000", "FACTUM_HOST", "0.0.0.0", "FACTUM_DATA", "/var/lib/factum", "FACTUM_STORAGE", "postgres");
    Map<String, String> flags = new HashMap<>();
    flags.put("config", file.toString());
    flags.put("port", "5000");

    ServerConfig c = ServerConfig.resolve(flags, env);

    assertThat(c.options().port()).as("flag beats file and env").isEqualTo(5000);
    assertThat(c.storage()).as("file beats env").isEqualTo(ServerConfig.Storage.MEMORY);
    assertThat(c.options().heartbeat()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.options().host()).as("env beats the default").isEqualTo("0.0.0.0");
    assertThat(c.data()).isEqualTo(Path.of("/var/lib/factum"));
    assertThat(c.options().maxSubscribers()).as("the default").isEqualTo(1000);
    assertThat(ServerConfig.resolve(Map.of(), Map.of()).data()).isEqualTo(Path.of("./data"));
  }

  @Test
  void badConfigurationIsRefusedWithTheKeyAndItsSource(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("port", "http"), Map.of()))
        .hasMessageContaining("port").hasMessageContaining("--port");
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of(), Map.of("FACTUM_PORT", "70000")))
        .hasMessageContaining("FACTUM_PORT").hasMessageContaining("65535");
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("storage", "mongo"), Map.of()))
        .hasMessageContaining("embedded, memory or postgres");
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("storage", "postgres"), Map.of()))
        .hasMessageContaining("--jdbc-url");
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "prot=2113\n");
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("config", file.toString()), Map.of()))
        .hasMessageContaining("Unknown setting 'prot'");
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("config", dir.resolve("none").toString()), Map.of()))
        .hasMessageContaining("does not exist");
    // settings for another storage are not silently ignored
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("jdbc-url", "jdbc:postgresql://db/events"), Map.of()))
        .hasMessageContaining("jdbc-url is for --storage postgres").hasMessageContaining("embedded");
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("storage", "memory", "data", "/srv/factum"), Map.of()))
        .hasMessageContaining("data is for --storage embedded");
    assertThatThrownBy(() -> ServerConfig.resolve(Map.of("data", " "), Map.of())).hasMessageContaining("data must name a directory");
    assertThat(ServerConfig.resolve(Map.of("storage", "memory"), Map.of("FACTUM_DATA", "/srv/factum")).storage())
        .as("the environment is ambient").isEqualTo(ServerConfig.Storage.MEMORY);
  }

  @Test
  void aServerOpenedFromConfigurationServesAndClosesItsStorage(@TempDir Path dir) {
    ServerConfig config = ServerConfig.resolve(Map.of("port", "0", "data", dir.resolve("data").toString()), Map.of());
    try (FactumServer server = FactumServer.open(config)) {
      Http http = new Http(server.uri());
      assertThat(http.post("/streams/Order-1", "{\"event_type\":\"A\",\"data\":{}}").status()).isEqualTo(201);
      JsonNode info = http.get("/info").json();
      assertThat(info.path("storage").asText()).startsWith("embedded");
    }
    // Reopened: the event is still there, and the directory's lock was released by the close.
    try (FactumServer again = FactumServer.open(config)) {
      assertThat(again.store().headPosition()).isEqualTo(1);
    }
  }

  @Test
  void aTakenPortIsReportedClearly() {
    try (FactumServer first = FactumServer.start(InMemoryEventStore.create(), ServerOptions.DEFAULT.withPort(0))) {
      assertThatThrownBy(() -> FactumServer.start(InMemoryEventStore.create(), ServerOptions.DEFAULT.withPort(first.port())))
          .hasMessageContaining("Cannot listen on 127.0.0.1:" + first.port())
          .hasMessageContaining("--port");
    }
  }

  @Test
  void jsonLogsAreOneObjectPerLine() throws Exception {
    LogRecord r = new LogRecord(Level.WARNING, "append to \"Order-1\" failed\nsecond line");
    r.setLoggerName("io.factum.server.HttpApi");
    r.setThrown(new IllegalStateException("disk full"));
    String line = new Logs.JsonFormatter().format(r);

    assertThat(line).endsWith("}\n").doesNotContain("\n{");
    assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
    JsonNode json = Http.JSON.readTree(line);
    assertThat(json.path("level").asText()).isEqualTo("WARNING");
    assertThat(json.path("logger").asText()).isEqualTo("io.factum.server.HttpApi");
    assertThat(json.path("message").asText()).isEqualTo("append to \"Order-1\" failed\nsecond line");
    assertThat(json.path("error").asText()).contains("disk full");
  }
}
