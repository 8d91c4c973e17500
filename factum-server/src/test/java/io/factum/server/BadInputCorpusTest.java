package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Snapshot;
import io.factum.embedded.EmbeddedEventStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of malformed requests, each sent over a raw socket to a real server on embedded storage:
 * every one must get its documented status and a JSON error ({@code error} code plus a message), and
 * none may change anything — events, checkpoints, snapshots — or hurt the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCorpusTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private EventStore store;
  private FactumServer server;
  private String fingerprint;

  /** One bad request and the answer it must get. */
  record Bad(String name, String method, String target, Map<String, String> headers, byte[] body, int status, String error) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  void start(@TempDir Path dir) {
    store = EmbeddedEventStore.open(dir.resolve("store"));
    store.append("Order-1", ExpectedVersion.NO_STREAM, EventData.json("OrderPlaced", "{\"total\":42}"),
        EventData.json("OrderShipped", "{}"));
    store.checkpoints().save("billing", 1);
    store.snapshots().save(Snapshot.of("Order-1", "Order", 1, 2, "{\"status\":\"shipped\"}"));
    server = FactumServer.start(store, ServerOptions.DEFAULT.withPort(0).withStorageName("embedded"));
    fingerprint = fingerprint();
  }

  @AfterAll
  void stop() {
    server.close();
    store.close();
  }

  /** What must not change: every event, checkpoint and snapshot. */
  private String fingerprint() {
    return store.headPosition() + "|" + store.readAll(0, 10_000) + "|" + store.checkpoints().all() + "|"
        + store.snapshots().load("Order-1").map(Snapshot::toString).orElse("-") + "|" + store.streamVersion("x");
  }

  private static Bad post(String name, String target, String body, int status, String error) {
    return new Bad(name, "POST", target, Map.of(), body.getBytes(StandardCharsets.UTF_8), status, error);
  }

  private static Bad append(String name, String body) {
    return post(name, "/streams/Order-2", body, 400, "invalid_request");
  }

  private static Bad get(String name, String target, int status, String error) {
    return new Bad(name, "GET", target, Map.of(), null, status, error);
  }

  private static Bad withHeader(String name, String header, String value) {
    return new Bad(name, "POST", "/streams/Order-2", Map.of(header, value),
        "{\"event_type\":\"A\",\"data\":{}}".getBytes(StandardCharsets.UTF_8), 400, "invalid_request");
  }

  static List<Bad> corpus() {
    List<Bad> c = new ArrayList<>();
    String ok = "\"event_type\":\"A\",\"data\":{}";
    // the body of an append
    c.add(append("empty body", ""));
    c.add(append("blank body", "  \n "));
    c.add(append("truncated JSON", "{\"event_type\":\"A\""));
    c.add(append("not JSON", "hello"));
    c.add(append("empty array", "[]"));
    c.add(append("a number", "42"));
    c.add(append("a string", "\"OrderPlaced\""));
    c.add(append("null", "null"));
    c.add(append("array of numbers", "[1,2]"));
    c.add(append("array with a null", "[{" + ok + "},null]"));
    c.add(append("missing event_type", "{\"data\":{}}"));
    c.add(append("missing data", "{\"event_type\":\"A\"}"));
    c.add(append("event_type is a number", "{\"event_type\":5,\"data\":{}}"));
    c.add(append("event_type is empty", "{\"event_type\":\"\",\"data\":{}}"));
    c.add(append("event_type is blank", "{\"event_type\":\"   \",\"data\":{}}"));
    c.add(append("event_type has a control character", "{\"event_type\":\"A\\u0001B\",\"data\":{}}"));
    c.add(append("event_type is reserved", "{\"event_type\":\"$system\",\"data\":{}}"));
    c.add(append("event_type is too long", "{\"event_type\":\"" + "T".repeat(256) + "\",\"data\":{}}"));
    c.add(append("schema_version 0", "{" + ok + ",\"schema_version\":0}"));
    c.add(append("schema_version as a string", "{" + ok + ",\"schema_version\":\"2\"}"));
    c.add(append("schema_version is a fraction", "{" + ok + ",\"schema_version\":1.5}"));
    c.add(append("schema_version overflows", "{" + ok + ",\"schema_version\":99999999999}"));
    c.add(append("metadata is an array", "{" + ok + ",\"metadata\":[1]}"));
    c.add(append("metadata is a string", "{" + ok + ",\"metadata\":\"x\"}"));
    c.add(append("metadata holds \\u0000", "{" + ok + ",\"metadata\":{\"a\":\"\\u0000\"}}"));
    c.add(append("event_id is not a UUID", "{" + ok + ",\"event_id\":\"not-a-uuid\"}"));
    c.add(append("event_id is a number", "{" + ok + ",\"event_id\":123}"));
    c.add(append("event_id is a short UUID", "{" + ok + ",\"event_id\":\"1-1-1-1-1\"}"));
    c.add(append("repeated field", "{\"event_type\":\"A\",\"event_type\":\"B\",\"data\":{}}"));
    c.add(append("unknown field (camelCase)", "{\"eventType\":\"A\",\"data\":{}}"));
    c.add(append("content after the event", "{" + ok + "} x"));
    c.add(append("two events without an array", "{" + ok + "}{" + ok + "}"));
    c.add(append("the same event id twice", "[{" + ok + ",\"event_id\":\"0192b5c4-7c1e-7cc3-9d5e-3f1a2b4c5d6e\"},"
        + "{" + ok + ",\"event_id\":\"0192b5c4-7c1e-7cc3-9d5e-3f1a2b4c5d6e\"}]"));
    c.add(append("data holds \\u0000", "{\"event_type\":\"A\",\"data\":{\"a\":\"\\u0000\"}}"));
    c.add(append("data holds a lone surrogate", "{\"event_type\":\"A\",\"data\":\"\\ud800\"}"));
    c.add(append("binary data that is not base64", "{\"event_type\":\"A\",\"content_type\":\"application/octet-stream\",\"data\":\"!!!\"}"));
    c.add(append("binary data that is an object", "{\"event_type\":\"A\",\"content_type\":\"application/octet-stream\",\"data\":{}}"));
    c.add(append("content_type is a number", "{\"event_type\":\"A\",\"content_type\":5,\"data\":{}}"));
    c.add(append("trailing comma", "{\"event_type\":\"A\",\"data\":{},}"));
    c.add(append("single quotes", "{'event_type':'A','data':{}}"));
    c.add(append("NaN as data", "{\"event_type\":\"A\",\"data\":NaN}"));
    c.add(append("nesting 5000 deep", "{\"event_type\":\"A\",\"data\":" + "[".repeat(5000) + "]".repeat(5000) + "}"));
    c.add(new Bad("invalid UTF-8 in the body", "POST", "/streams/Order-2", Map.of(),
        new byte[] {'{', '"', 'e', 'v', 'e', 'n', 't', '_', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', ',', '"', 'd', 'a', 't', 'a', '"', ':', '{', '}', '}'},
        400, "invalid_request"));
    c.add(new Bad("an event in UTF-16", "POST", "/streams/Order-2", Map.of(),
        ("{" + ok + "}").getBytes(StandardCharsets.UTF_16LE), 400, "invalid_request"));
    c.add(new Bad("a snapshot in UTF-16 with a byte order mark", "PUT", "/streams/Order-1/snapshot", Map.of(),
        "{\"snapshot_type\":\"Order\",\"schema_version\":1,\"version\":3,\"data\":{}}".getBytes(StandardCharsets.UTF_16),
        400, "invalid_request"));
    c.add(new Bad("a checkpoint in UTF-32", "PUT", "/checkpoints/billing", Map.of(),
        "{\"position\":1}".getBytes(java.nio.charset.Charset.forName("UTF-32LE")), 400, "invalid_request"));
    // Expected-Version
    c.add(withHeader("Expected-Version is a word", "Expected-Version", "latest"));
    c.add(withHeader("Expected-Version is negative", "Expected-Version", "-1"));
    c.add(withHeader("Expected-Version is a fraction", "Expected-Version", "1.5"));
    c.add(withHeader("Expected-Version is empty", "Expected-Version", ""));
    c.add(withHeader("Expected-Version overflows", "Expected-Version", "99999999999999999999"));
    // stream ids and paths
    c.add(post("stream id too long", "/streams/" + "s".repeat(256), "{" + ok + "}", 400, "invalid_request"));
    c.add(post("reserved stream id", "/streams/%24all", "{" + ok + "}", 400, "invalid_request"));
    c.add(post("stream id with a control character", "/streams/a%01b", "{" + ok + "}", 400, "invalid_request"));
    c.add(post("malformed percent escape", "/streams/%ZZ", "{" + ok + "}", 400, "invalid_request"));
    c.add(post("escape that is not UTF-8", "/streams/%C3%28", "{" + ok + "}", 400, "invalid_request"));
    c.add(post("blank stream id", "/streams/%20%20", "{" + ok + "}", 400, "invalid_request"));
    c.add(post("append to a subresource", "/streams/Order-2/snapshot", "{" + ok + "}", 405, "method_not_allowed"));
    c.add(post("unknown query parameter on append", "/streams/Order-2?expected=1", "{" + ok + "}", 400, "invalid_request"));
    // sizes
    c.add(new Bad("body declared over the request limit", "POST", "/streams/Order-2", Map.of("Content-Length", "999999999"), null, 413, "too_large"));
    c.add(post("event over the event size limit", "/streams/Order-2",
        "{\"event_type\":\"Big\",\"data\":\"" + "x".repeat((1 << 20) + 10) + "\"}", 413, "too_large"));
    // methods and paths
    c.add(new Bad("PATCH a stream", "PATCH", "/streams/Order-1", Map.of(), "{}".getBytes(StandardCharsets.UTF_8), 405, "method_not_allowed"));
    c.add(new Bad("DELETE a stream", "DELETE", "/streams/Order-1", Map.of(), null, 405, "method_not_allowed"));
    c.add(new Bad("DELETE $all", "DELETE", "/all", Map.of(), null, 405, "method_not_allowed"));
    c.add(get("unknown path", "/nope", 404, "not_found"));
    c.add(get("unknown stream subresource", "/streams/Order-1/events", 404, "not_found"));
    // reads
    c.add(get("after is negative", "/all?after=-1", 400, "invalid_request"));
    c.add(get("limit 0", "/all?limit=0", 400, "invalid_request"));
    c.add(get("limit is a word", "/all?limit=ten", 400, "invalid_request"));
    c.add(get("limit over the page size", "/all?limit=10001", 400, "invalid_request"));
    c.add(get("empty category filter", "/all?category=", 400, "invalid_request"));
    c.add(get("after given twice", "/all?after=1&after=2", 400, "invalid_request"));
    c.add(get("direction sideways", "/streams/Order-1?direction=sideways", 400, "invalid_request"));
    c.add(get("from 0", "/streams/Order-1?from=0", 400, "invalid_request"));
    c.add(get("stream list limit too large", "/streams?limit=5000", 400, "invalid_request"));
    c.add(get("subscribe after a word", "/subscribe/all?after=yesterday", 400, "invalid_request"));
    c.add(new Bad("subscribe with a bad Last-Event-ID", "GET", "/subscribe/all", Map.of("Last-Event-ID", "abc"), null, 400, "invalid_request"));
    c.add(get("subscribe to a stream id too long", "/subscribe/streams/" + "s".repeat(256), 400, "invalid_request"));
    // checkpoints, snapshots, projections
    c.add(new Bad("negative checkpoint", "PUT", "/checkpoints/billing", Map.of(), "{\"position\":-1}".getBytes(StandardCharsets.UTF_8), 400, "invalid_request"));
    c.add(new Bad("checkpoint without position", "PUT", "/checkpoints/billing", Map.of(), "{\"pos\":1}".getBytes(StandardCharsets.UTF_8), 400, "invalid_request"));
    c.add(new Bad("checkpoint as a bare number", "PUT", "/checkpoints/billing", Map.of(), "7".getBytes(StandardCharsets.UTF_8), 400, "invalid_request"));
    c.add(new Bad("empty snapshot", "PUT", "/streams/Order-1/snapshot", Map.of(), "{}".getBytes(StandardCharsets.UTF_8), 400, "invalid_request"));
    c.add(new Bad("snapshot at version 0", "PUT", "/streams/Order-1/snapshot", Map.of(),
        "{\"snapshot_type\":\"Order\",\"schema_version\":1,\"version\":0,\"data\":{}}".getBytes(StandardCharsets.UTF_8), 400, "invalid_request"));
    c.add(new Bad("snapshot with a bad date", "PUT", "/streams/Order-1/snapshot", Map.of(),
        "{\"snapshot_type\":\"Order\",\"schema_version\":1,\"version\":3,\"data\":{},\"created_at\":\"monday\"}".getBytes(StandardCharsets.UTF_8),
        400, "invalid_request"));
    c.add(post("reset an unknown projection", "/projections/nope/reset", "", 404, "projection_not_found"));
    c.add(post("unknown projection action", "/projections/$streams/explode", "", 404, "not_found"));
    return c;
  }

  @Test
  void theCorpusHasAtLeastFiftyDistinctBadInputs() {
    Set<String> distinct = new HashSet<>();
    for (Bad b : corpus()) {
      distinct.add(b.method() + " " + b.target() + " " + b.headers() + " " + (b.body() == null ? "" : new String(b.body(), StandardCharsets.ISO_8859_1)));
    }
    assertThat(distinct).hasSize(corpus().size()).hasSizeGreaterThanOrEqualTo(50);
  }

  @TestFactory
  Stream<DynamicTest> everyBadRequestGetsItsJsonErrorAndChangesNothing() {
    return corpus().stream().map(bad -> DynamicTest.dynamicTest(bad.name(), () -> {
      RawHttp.Response r = RawHttp.request(server.port(), bad.method(), bad.target(), bad.headers(), bad.body());

      assertThat(r.status()).as(bad.name() + ": " + r.text()).isEqualTo(bad.status());
      assertThat(r.headers().get("content-type")).as(bad.name()).startsWith("application/json");
      JsonNode error = JSON.readTree(r.body());
      assertThat(error.path("error").asText()).as(bad.name() + ": " + r.text()).isEqualTo(bad.error());
      assertThat(error.path("message").asText()).as(bad.name()).isNotBlank();
      assertThat(fingerprint()).as("the store is unchanged after: " + bad.name()).isEqualTo(fingerprint);
    }));
  }

  @Test
  void malformedHttpIsAnsweredWithJsonToo() throws Exception {
    RawHttp.Response garbage = RawHttp.exchange(server.port(), "GARBAGE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(garbage.status()).isEqualTo(400);
    assertThat(JSON.readTree(garbage.body()).path("error").asText()).isEqualTo("invalid_request");

    RawHttp.Response hugeHeader = RawHttp.request(server.port(), "GET", "/info", Map.of("X-Big", "y".repeat(64 * 1024)), null);
    assertThat(hugeHeader.status()).isEqualTo(431);
    assertThat(JSON.readTree(hugeHeader.body()).path("error").asText()).isEqualTo("too_large");
    assertThat(fingerprint()).isEqualTo(fingerprint);
  }

  @Test
  void theServerIsHealthyAndWritableAfterTheCorpus() throws Exception {
    for (Bad bad : corpus()) {
      RawHttp.request(server.port(), bad.method(), bad.target(), bad.headers(), bad.body());
    }
    assertThat(RawHttp.request(server.port(), "GET", "/health", Map.of(), null).status()).isEqualTo(200);
    assertThat(fingerprint()).isEqualTo(fingerprint);
    RawHttp.Response ok = RawHttp.request(server.port(), "POST", "/streams/Corpus-ok", Map.of(),
        "{\"event_type\":\"Fine\",\"data\":{}}".getBytes(StandardCharsets.UTF_8));
    assertThat(ok.status()).isEqualTo(201);
    fingerprint = fingerprint(); // the store moved on purpose
  }
}
