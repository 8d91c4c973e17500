package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StorageException;
import io.factum.api.Subscription;
import io.factum.core.InMemoryEventStore;
import io.factum.embedded.EmbeddedEventStore;
import io.factum.server.FactumServer;
import io.factum.server.ServerOptions;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the client adds on top of the contract: reconnection, many subscribers, clear errors. */
@Timeout(180)
class FactumClientTest {

  private static final ClientOptions FAST_RECONNECT = ClientOptions.DEFAULT.withReconnectDelay(Duration.ofMillis(50), Duration.ofMillis(500));

  @Test
  void aSubscriptionSurvivesAServerRestartWithoutGapOrDuplicate(@TempDir Path dir) throws Exception {
    FactumServer server = FactumServer.startOwning(EmbeddedEventStore.open(dir), ServerOptions.DEFAULT.withPort(0));
    int port = server.port();
    List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
    try (FactumClient client = FactumClient.connect(server.uri(), FAST_RECONNECT);
        Subscription sub = client.subscribeToAll(0, EventFilter.ALL, seen::add)) {
      for (int k = 0; k < 10; k++) {
        client.append("Order-" + k, ExpectedVersion.ANY, EventData.json("A", "{}"));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 10);

      server.close(); // the subscription loses its connection and keeps retrying
      server = FactumServer.startOwning(EmbeddedEventStore.open(dir), ServerOptions.DEFAULT.withPort(port));
      for (int k = 10; k < 20; k++) {
        client.append("Order-" + k, ExpectedVersion.ANY, EventData.json("A", "{}"));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= 20);
      assertThat(sub.state()).isIn(Subscription.State.LIVE, Subscription.State.CATCHING_UP);
    } finally {
      server.close();
    }
    assertThat(seen).extracting(RecordedEvent::globalPosition).containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
  }

  @Test
  void twoHundredConcurrentSubscribersEachReceiveEveryEventInOrder() throws Exception {
    try (FactumServer server = FactumServer.startOwning(InMemoryEventStore.create(), ServerOptions.DEFAULT.withPort(0));
        FactumClient client = FactumClient.connect(server.uri(), ClientOptions.DEFAULT)) {
      int subscribers = 200;
      List<List<RecordedEvent>> received = new ArrayList<>();
      List<Subscription> subs = new ArrayList<>();
      for (int s = 0; s < subscribers; s++) {
        List<RecordedEvent> mine = new CopyOnWriteArrayList<>();
        received.add(mine);
        subs.add(client.subscribeToAll(0, EventFilter.ALL, mine::add));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> subs.stream().allMatch(Subscription::isLive));
      for (int k = 0; k < 100; k++) {
        client.append("Order-" + (k % 10), ExpectedVersion.ANY, EventData.json("A", "{\"k\":" + k + "}"));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> received.stream().allMatch(r -> r.size() >= 100));
      List<Long> expected = LongStream.rangeClosed(1, 100).boxed().toList();
      for (List<RecordedEvent> r : received) {
        assertThat(r).extracting(RecordedEvent::globalPosition).containsExactlyElementsOf(expected);
      }
      subs.forEach(Subscription::close);
    }
  }

  @Test
  void anUnreachableServerIsReportedWithWhatToDo() throws Exception {
    int freePort;
    try (ServerSocket s = new ServerSocket(0)) {
      freePort = s.getLocalPort();
    }
    assertThatThrownBy(() -> FactumClient.connect("http://127.0.0.1:" + freePort))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("Cannot reach the Factum server at http://127.0.0.1:" + freePort)
        .hasMessageContaining("factum serve");
    assertThatThrownBy(() -> FactumClient.connect(URI.create("ftp://x"), ClientOptions.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://");
  }

  @Test
  void aSubscriptionTheServerCannotStartIsRetriedWithGrowingDelays() throws Exception {
    InMemoryEventStore store = InMemoryEventStore.create();
    try (FactumServer server = FactumServer.start(store, ServerOptions.DEFAULT.withPort(0))) {
      FactumClient client = FactumClient.connect("http://127.0.0.1:" + server.port());
      store.close(); // the server still runs, but can no longer subscribe: each stream ends at once
      AtomicInteger attempts = new AtomicInteger();
      Handler counter = new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (String.valueOf(r.getMessage()).contains("/subscribe/all")) {
            attempts.incrementAndGet(); // the server logs each failed subscribe
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
      Logger serverLog = Logger.getLogger("io.factum.server.HttpApi");
      serverLog.addHandler(counter);
      try (Subscription sub = client.subscribeToAll(0, EventFilter.ALL, e -> {})) {
        Thread.sleep(3_000);
      } finally {
        serverLog.removeHandler(counter);
        client.close();
      }
      // Every 100 ms that would be about 30 attempts; doubling delays (0.1, 0.2, 0.4, 0.8, 1.6 s) about 5.
      assertThat(attempts.get()).isBetween(2, 10);
    }
  }

  @Test
  void failedConnectsLeaveNoThreadsBehind() throws Exception {
    int freePort;
    try (ServerSocket s = new ServerSocket(0)) {
      freePort = s.getLocalPort();
    }
    long before = evictorThreads();
    for (int k = 0; k < 10; k++) {
      assertThatThrownBy(() -> FactumClient.connect("http://127.0.0.1:" + freePort)).isInstanceOf(StorageException.class);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> evictorThreads() <= before);
  }

  /** The threads each HTTP client starts to close idle connections. */
  private static long evictorThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains("evictor")).count();
  }

  @Test
  void aServerThatGoesAwayTurnsAppendsIntoStorageErrors() {
    FactumServer server = FactumServer.startOwning(InMemoryEventStore.create(), ServerOptions.DEFAULT.withPort(0));
    try (FactumClient client = FactumClient.connect(server.uri(), ClientOptions.DEFAULT)) {
      client.append("Order-1", ExpectedVersion.ANY, EventData.json("A", "{}"));
      server.close();
      assertThatThrownBy(() -> client.append("Order-1", ExpectedVersion.ANY, EventData.json("A", "{}")))
          .isInstanceOf(StorageException.class).hasMessageContaining("Factum server");
    }
  }

  @Test
  void appendsWithoutIdsSucceedAfterTheServerClosedTheIdleConnections() throws Exception {
    ServerOptions shortIdle = ServerOptions.DEFAULT.withPort(0).withHeartbeat(Duration.ofMillis(200)).withIdleTimeout(Duration.ofMillis(500));
    try (FactumServer server = FactumServer.startOwning(InMemoryEventStore.create(), shortIdle);
        FactumClient client = FactumClient.connect(server.uri(), ClientOptions.DEFAULT)) {
      for (int round = 1; round <= 3; round++) {
        // No event ids: the client must not retry these, so a stale pooled connection would fail them.
        client.append("Order-1", ExpectedVersion.ANY, EventData.json("A", "{}"));
        Thread.sleep(1_500); // the server closes the idle keep-alive connection meanwhile
      }
      assertThat(client.streamVersion("Order-1")).hasValue(3);
    }
  }
}
