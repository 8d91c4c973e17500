package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.core.InMemoryEventStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API endpoint by endpoint: status codes, JSON shapes, encodings, paging. */
class HttpApiTest {

  private EventStore store;
  private FactumServer server;
  private Http http;

  @BeforeEach
  void start() {
    store = InMemoryEventStore.create();
    server = FactumServer.start(store, ServerOptions.DEFAULT.withPort(0).withStorageName("memory"));
    http = new Http(server.uri());
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private static String enc(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  void appendAnswers201ThenTheRetryAnswers200WithTheOriginalResult() {
    String id = UUID.randomUUID().toString();
    String body = "[{\"event_id\":\"" + id + "\",\"event_type\":\"OrderPlaced\",\"data\":{\"total\":42}}]";

    Http.Reply first = http.post("/streams/Order-1", body, "Expected-Version", "no_stream");
    Http.Reply retry = http.post("/streams/Order-1", body, "Expected-Version", "no_stream");

    assertThat(first.status()).isEqualTo(201);
    assertThat(first.json().path("stream_id").asText()).isEqualTo("Order-1");
    assertThat(first.json().path("first_version").asLong()).isEqualTo(1);
    assertThat(first.json().path("last_position").asLong()).isEqualTo(1);
    assertThat(first.json().path("already_appended").asBoolean()).isFalse();
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.json().path("already_appended").asBoolean()).isTrue();
    assertThat(retry.json().path("first_position").asLong()).isEqualTo(1);
    assertThat(store.headPosition()).isEqualTo(1);
  }

  @Test
  void conflictsAre409WithTheFactsAClientNeeds() {
    http.post("/streams/Order-1", "{\"event_type\":\"A\",\"data\":{}}");

    Http.Reply wrong = http.post("/streams/Order-1", "{\"event_type\":\"B\",\"data\":{}}", "Expected-Version", "5");
    assertThat(wrong.status()).isEqualTo(409);
    assertThat(wrong.json().path("error").asText()).isEqualTo("wrong_expected_version");
    assertThat(wrong.json().path("expected").asText()).isEqualTo("5");
    assertThat(wrong.json().path("actual").asLong()).isEqualTo(1);
    assertThat(wrong.json().path("stream_id").asText()).isEqualTo("Order-1");

    Http.Reply absent = http.post("/streams/Order-9", "{\"event_type\":\"B\",\"data\":{}}", "Expected-Version", "stream_exists");
    assertThat(absent.json().path("actual").asLong()).isEqualTo(-1);

    String id = UUID.randomUUID().toString();
    http.post("/streams/Order-2", "{\"event_id\":\"" + id + "\",\"event_type\":\"A\",\"data\":{}}");
    Http.Reply elsewhere = http.post("/streams/Order-3", "{\"event_id\":\"" + id + "\",\"event_type\":\"A\",\"data\":{}}");
    assertThat(elsewhere.status()).isEqualTo(409);
    assertThat(elsewhere.json().path("error").asText()).isEqualTo("idempotency_conflict");
    assertThat(elsewhere.json().path("event_id").asText()).isEqualTo(id);
    assertThat(store.headPosition()).isEqualTo(2);
  }

  @Test
  void dataAndMetadataTravelByteForByteAndBinaryAsBase64() {
    String data = "{\"total\": 42.10,\n \"big\": 123456789012345678901234567890, \"s\":\"\\u00e9\"}";
    byte[] bytes = {0, 1, 2, (byte) 0xff};
    http.post("/streams/Doc-1", "[{\"event_type\":\"Json\",\"data\":" + data + ",\"metadata\":{\"user_id\":\"u\"}},"
        + "{\"event_type\":\"Blob\",\"content_type\":\"application/octet-stream\",\"data\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"}]");

    List<RecordedEvent> stored = store.readStream("Doc-1", 1, 10);
    assertThat(stored.get(0).dataAsString()).isEqualTo(data);
    assertThat(stored.get(0).metadataAsString()).isEqualTo("{\"user_id\":\"u\"}");
    assertThat(stored.get(1).data()).containsExactly(bytes);
    assertThat(stored.get(1).contentType()).isEqualTo("application/octet-stream");

    JsonNode events = http.get("/streams/Doc-1").json().path("events");
    assertThat(events.get(0).path("data").path("big").bigIntegerValue()).hasToString("123456789012345678901234567890");
    assertThat(events.get(0).path("version").asLong()).isEqualTo(1);
    assertThat(events.get(0).path("global_position").asLong()).isEqualTo(1);
    assertThat(events.get(0).path("created_at").asText()).isNotBlank();
    assertThat(Base64.getDecoder().decode(events.get(1).path("data").asText())).containsExactly(bytes);
  }

  @Test
  void streamIdsWithAnyCharacterRoundTripThroughThePath() {
    for (String id : List.of("Order/1", "Order 2", "Ordre-é", "a?b#c", "50%", "x+y", "Order/1/snapshot", "..", "订单-1")) {
      Http.Reply r = http.post("/streams/" + enc(id).replace(".", "%2E"), "{\"event_type\":\"A\",\"data\":{}}");
      assertThat(r.status()).as(id + ": " + r.body()).isEqualTo(201);
      assertThat(r.json().path("stream_id").asText()).isEqualTo(id);
      assertThat(store.streamVersion(id)).as(id).hasValue(1);
      JsonNode read = http.get("/streams/" + enc(id).replace(".", "%2E")).json();
      assertThat(read.path("stream_id").asText()).isEqualTo(id);
      assertThat(read.path("events")).hasSize(1);
    }
  }

  @Test
  void streamReadsPageForwardAndBackwardAndAnAbsentStreamIs404() {
    StringBuilder batch = new StringBuilder("[");
    for (int k = 1; k <= 25; k++) {
      batch.append(k > 1 ? "," : "").append("{\"event_type\":\"E\",\"data\":{\"k\":").append(k).append("}}");
    }
    http.post("/streams/Long-1", batch.append("]").toString());

    JsonNode page = http.get("/streams/Long-1?from=11&limit=10").json().path("events");
    assertThat(page).hasSize(10);
    assertThat(page.get(0).path("version").asLong()).isEqualTo(11);
    JsonNode back = http.get("/streams/Long-1?direction=backward&limit=3").json().path("events");
    assertThat(back).extracting(n -> n.path("version").asLong()).containsExactly(25L, 24L, 23L);
    assertThat(http.get("/streams/Long-1?from=99").json().path("events")).isEmpty();
    assertThat(http.get("/streams/Long-1/version").json().path("version").asLong()).isEqualTo(25);

    Http.Reply missing = http.get("/streams/Nope-1");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().path("error").asText()).isEqualTo("stream_not_found");
    assertThat(http.get("/streams/Nope-1/version").status()).isEqualTo(404);
  }

  @Test
  void readAllFiltersAndReportsHowFarAFilteredPageReached() {
    http.post("/streams/Order-1", "{\"event_type\":\"OrderPlaced\",\"data\":{}}");
    http.post("/streams/Invoice-1", "{\"event_type\":\"InvoiceSent\",\"data\":{}}");
    http.post("/streams/Order-2", "{\"event_type\":\"OrderPlaced\",\"data\":{}}");
    http.post("/streams/Invoice-2", "{\"event_type\":\"InvoiceSent\",\"data\":{}}");

    JsonNode orders = http.get("/all?category=Order").json();
    assertThat(orders.path("events")).extracting(n -> n.path("stream_id").asText()).containsExactly("Order-1", "Order-2");
    assertThat(orders.path("last_position").asLong()).as("the short page examined everything up to the head").isEqualTo(4);

    JsonNode firstOrder = http.get("/all?category=Order&limit=1").json();
    assertThat(firstOrder.path("last_position").asLong()).isEqualTo(1);
    JsonNode two = http.get("/all?event_type=InvoiceSent&event_type=OrderPlaced&stream_prefix=Invoice-&after=1").json();
    assertThat(two.path("events")).extracting(n -> n.path("global_position").asLong()).containsExactly(2L, 4L);
    assertThat(http.get("/all?after=4").json().path("events")).isEmpty();
  }

  @Test
  void theStreamListPagesByIdAndFiltersByPrefix() {
    for (String s : List.of("Order-1", "Order-2", "Order-3", "Invoice-1")) {
      http.post("/streams/" + s, "{\"event_type\":\"A\",\"data\":{}}");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/streams").json().path("stream_count").asInt() == 4);

    JsonNode first = http.get("/streams?prefix=Order-&limit=2").json();
    assertThat(first.path("streams")).extracting(n -> n.path("stream_id").asText()).containsExactly("Order-1", "Order-2");
    assertThat(first.path("streams").get(0).path("category").asText()).isEqualTo("Order");
    assertThat(first.path("streams").get(0).path("version").asLong()).isEqualTo(1);
    JsonNode next = http.get("/streams?prefix=Order-&limit=2&after=" + first.path("next_after").asText()).json();
    assertThat(next.path("streams")).extracting(n -> n.path("stream_id").asText()).containsExactly("Order-3");
    assertThat(next.path("next_after").isNull()).isTrue();
  }

  @Test
  void checkpointsCanBeStoredReadListedAndDeleted() {
    assertThat(http.get("/checkpoints/billing").status()).isEqualTo(404);
    assertThat(http.put("/checkpoints/billing", "{\"position\":7}").json().path("position").asLong()).isEqualTo(7);
    assertThat(http.put("/checkpoints/" + enc("team/a b"), "{\"position\":3}").status()).isEqualTo(200);

    assertThat(http.get("/checkpoints/billing").json().path("position").asLong()).isEqualTo(7);
    assertThat(store.checkpoints().load("team/a b")).hasValue(3);
    assertThat(http.get("/checkpoints").json().path("checkpoints")).extracting(n -> n.path("name").asText())
        .containsExactly("billing", "team/a b");
    assertThat(http.delete("/checkpoints/billing").status()).isEqualTo(204);
    assertThat(store.checkpoints().load("billing")).isEmpty();
  }

  @Test
  void snapshotsCanBeStoredReadAndDeletedAndTheNewestWins() {
    assertThat(http.get("/streams/Order-1/snapshot").json().path("error").asText()).isEqualTo("snapshot_not_found");
    Http.Reply saved = http.put("/streams/Order-1/snapshot", "{\"snapshot_type\":\"Order\",\"schema_version\":2,\"version\":50,\"data\":{\"s\":1}}");
    assertThat(saved.status()).isEqualTo(200);
    Http.Reply older = http.put("/streams/Order-1/snapshot", "{\"snapshot_type\":\"Order\",\"schema_version\":2,\"version\":10,\"data\":{\"s\":0}}");
    assertThat(older.json().path("version").asLong()).as("the stored, newer snapshot is kept and returned").isEqualTo(50);

    JsonNode loaded = http.get("/streams/Order-1/snapshot").json();
    assertThat(loaded.path("snapshot_type").asText()).isEqualTo("Order");
    assertThat(loaded.path("schema_version").asInt()).isEqualTo(2);
    assertThat(loaded.path("data").path("s").asInt()).isEqualTo(1);
    assertThat(http.delete("/streams/Order-1/snapshot").status()).isEqualTo(204);
    assertThat(store.snapshots().load("Order-1")).isEmpty();
  }

  @Test
  void projectionsShowTheCatalogAndSubscriptionCheckpointsAndCanBeReset() {
    http.post("/streams/Order-1", "{\"event_type\":\"A\",\"data\":{}}");
    store.checkpoints().save("billing", 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/projections").json().path("projections").get(0).path("position").asLong() == 1);

    JsonNode p = http.get("/projections").json();
    assertThat(p.path("projections").get(0).path("name").asText()).isEqualTo("$streams");
    assertThat(p.path("projections").get(0).path("state").asText()).isEqualTo("running");
    assertThat(p.path("subscriptions").get(0).path("lag").asLong()).isEqualTo(1);

    Http.Reply reset = http.post("/projections/%24streams/reset", "");
    assertThat(reset.status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/streams").json().path("stream_count").asInt() == 1);
  }

  @Test
  void infoStatsHealthAndMetricsDescribeTheServer() {
    http.post("/streams/Order-1", "[{\"event_type\":\"A\",\"data\":{}},{\"event_type\":\"B\",\"data\":{}}]");
    http.post("/streams/Order-1", "{\"event_type\":\"A\",\"data\":{}}", "Expected-Version", "7");

    JsonNode info = http.get("/info").json();
    assertThat(info.path("name").asText()).isEqualTo("Factum");
    assertThat(info.path("head_position").asLong()).isEqualTo(2);
    assertThat(info.path("limits").path("max_event_bytes").asInt()).isEqualTo(1 << 20);
    await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/stats").json().path("event_types").path("B").asInt() == 1);
    assertThat(http.get("/stats").json().path("categories").path("Order").asInt()).isEqualTo(2);

    Http.Reply health = http.get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("ready").asBoolean()).isTrue();
    assertThat(http.get("/health/live").status()).isEqualTo(200);
    assertThat(http.get("/health/ready").status()).isEqualTo(200);

    Http.Reply metrics = http.get("/metrics");
    assertThat(metrics.raw().headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body())
        .contains("factum_appends_total{outcome=\"created\"} 1.0")
        .contains("factum_appends_total{outcome=\"conflict\"} 1.0")
        .contains("factum_events_appended_total 2.0")
        .contains("factum_append_latency_seconds_bucket")
        .contains("factum_http_requests_seconds_count{method=\"POST\",route=\"/streams/<rest>\",status=\"201\"}")
        .contains("factum_sse_subscribers")
        .contains("factum_head_position 2.0")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void theRootAndUiServeTheWebUi() {
    Http.Reply ui = http.get("/ui/");
    assertThat(ui.status()).isEqualTo(200);
    assertThat(ui.body()).contains("Factum");
    assertThat(http.get("/").status()).isIn(301, 302, 303);
  }

  @Test
  void concurrentAppendsThroughHttpKeepEveryStreamDense() throws Exception {
    List<Thread> threads = new ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
    for (int t = 0; t < 8; t++) {
      String stream = "Race-" + (t % 2);
      threads.add(new Thread(() -> {
        for (int k = 0; k < 50; k++) {
          if (http.post("/streams/" + stream, "{\"event_type\":\"A\",\"data\":{}}").status() == 201) {
            created.incrementAndGet();
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    assertThat(created).hasValue(400);
    assertThat(store.readStream("Race-0", 1, 1000)).extracting(RecordedEvent::version)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList());
    assertThat(store.headPosition()).isEqualTo(400);
  }
}
