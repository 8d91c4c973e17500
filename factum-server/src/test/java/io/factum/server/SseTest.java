package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.core.InMemoryEventStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Subscriptions over Server-Sent Events, read from raw sockets exactly as a browser or curl would. */
@Timeout(120)
class SseTest {

  private EventStore store;
  private FactumServer server;

  @BeforeEach
  void start() {
    store = InMemoryEventStore.create();
    server = FactumServer.start(store, ServerOptions.DEFAULT.withPort(0).withHeartbeat(Duration.ofMillis(300)).withMaxSubscribers(3));
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  /** One SSE event as received. */
  record Sse(String id, String event, String data) {
    JsonNode json() throws IOException {
      return Http.JSON.readTree(data);
    }
  }

  /** An open event stream on a raw socket. */
  final class Stream implements AutoCloseable {
    final Socket socket;
    final BufferedReader in;
    final List<String> comments = new ArrayList<>();
    final int status;

    Stream(String target, Map<String, String> headers, int receiveBuffer) throws IOException {
      socket = new Socket();
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer);
      }
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
      socket.setSoTimeout(60_000);
      StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n");
      headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
      OutputStream out = socket.getOutputStream();
      out.write(req.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      java.io.InputStream raw = new java.io.BufferedInputStream(socket.getInputStream());
      String head = readHead(raw);
      status = Integer.parseInt(head.split(" ")[1]);
      java.io.InputStream body = head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked") ? new Chunked(raw) : raw;
      in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    private String readHead(java.io.InputStream raw) throws IOException {
      StringBuilder b = new StringBuilder();
      while (!b.toString().endsWith("\r\n\r\n")) {
        int c = raw.read();
        if (c < 0) {
          throw new IOException("no response head: " + b);
        }
        b.append((char) c);
      }
      return b.toString();
    }

    Stream(String target) throws IOException {
      this(target, Map.of(), 0);
    }

    /** The next SSE event or comment (as event {@code ":"}), or null at the end of the stream. */
    Sse next() throws IOException {
      String id = null;
      String event = null;
      StringBuilder data = null;
      for (String line = readLine(); line != null; line = readLine()) {
        if (line.isEmpty()) {
          if (data != null || event != null) {
            return new Sse(id, event, data == null ? "" : data.toString());
          }
        } else if (line.startsWith(":")) {
          comments.add(line);
          return new Sse(null, ":", line);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
        }
      }
      return null;
    }

    /** The next event that is not a {@code $checkpoint}. */
    Sse nextEvent() throws IOException {
      for (Sse e = next(); e != null; e = next()) {
        if (!"$checkpoint".equals(e.event()) && !":".equals(e.event())) {
          return e;
        }
      }
      return null;
    }

    /** Skips to the next {@code $checkpoint} that says live. */
    Sse awaitLive() throws IOException {
      for (Sse e = next(); e != null; e = next()) {
        if ("$checkpoint".equals(e.event()) && e.data().contains("\"live\":true")) {
          return e;
        }
      }
      throw new IOException("stream ended before it went live");
    }

    private String readLine() throws IOException {
      return in.readLine();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Decodes HTTP/1.1 chunked transfer encoding. */
  static final class Chunked extends java.io.InputStream {
    private final java.io.InputStream in;
    private int left;
    private boolean done;

    Chunked(java.io.InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line();
        if (size.isEmpty()) {
          size = line(); // the CRLF after the previous chunk's data
        }
        left = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (left == 0) {
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, Math.min(len, left));
      if (n < 0) {
        done = true;
        return -1;
      }
      left -= n;
      return n;
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder();
      for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }
  }

  private void append(String stream, int n, int from) {
    List<EventData> batch = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      batch.add(EventData.json("E", "{\"k\":" + (from + k) + "}"));
    }
    store.append(stream, ExpectedVersion.ANY, batch);
  }

  @Test
  void eventsCarryTheirPositionTypeAndEnvelopeAndTheStreamGoesLive() throws Exception {
    append("Order-1", 3, 1);
    try (Stream s = new Stream("/subscribe/all?after=1")) {
      assertThat(s.status).isEqualTo(200);
      Sse first = s.nextEvent();
      assertThat(first.id()).isEqualTo("2");
      assertThat(first.event()).isEqualTo("E");
      assertThat(first.json().path("global_position").asLong()).isEqualTo(2);
      assertThat(first.json().path("data").path("k").asInt()).isEqualTo(2);
      assertThat(s.nextEvent().id()).isEqualTo("3");
      s.awaitLive();
      append("Order-2", 1, 4);
      assertThat(s.nextEvent().json().path("stream_id").asText()).isEqualTo("Order-2");
    }
  }

  @Test
  void aReconnectWithLastEventIdResumesWithoutGapOrDuplicate() throws Exception {
    append("Order-1", 10, 1);
    String lastId;
    try (Stream s = new Stream("/subscribe/all")) {
      for (int k = 1; k <= 4; k++) {
        assertThat(s.nextEvent().id()).isEqualTo(Long.toString(k));
      }
      lastId = "4";
    }
    append("Order-1", 5, 11);
    try (Stream again = new Stream("/subscribe/all?after=0", Map.of("Last-Event-ID", lastId), 0)) {
      for (int k = 5; k <= 15; k++) {
        assertThat(again.nextEvent().id()).isEqualTo(Long.toString(k));
      }
    }
  }

  @Test
  void aStreamSubscriptionResumesFromLastEventIdInThatStream() throws Exception {
    append("Order-1", 2, 1);
    append("Other-1", 2, 1);
    append("Order-1", 2, 3); // Order-1 versions 3 and 4 at positions 5 and 6
    try (Stream s = new Stream("/subscribe/streams/Order-1", Map.of("Last-Event-ID", "2"), 0)) {
      Sse next = s.nextEvent();
      assertThat(next.json().path("version").asLong()).isEqualTo(3);
      assertThat(next.id()).isEqualTo("5");
    }
    try (Stream s = new Stream("/subscribe/streams/Order-1?from=4")) {
      assertThat(s.nextEvent().json().path("version").asLong()).isEqualTo(4);
    }
  }

  @Test
  void aFilteredSubscriptionMarksHowFarItScannedSoAResumeSkipsWhatItFilteredOut() throws Exception {
    append("Order-1", 1, 1);
    append("Invoice-1", 5, 1);
    try (Stream s = new Stream("/subscribe/all?category=Order")) {
      assertThat(s.nextEvent().json().path("stream_id").asText()).isEqualTo("Order-1");
      Sse live = s.awaitLive();
      assertThat(live.id()).isEqualTo("6");
      assertThat(live.json().path("position").asLong()).isEqualTo(6);
    }
  }

  @Test
  void idleStreamsGetHeartbeats() throws Exception {
    try (Stream s = new Stream("/subscribe/all")) {
      s.awaitLive();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (s.comments.stream().noneMatch(c -> c.contains("heartbeat")) && System.nanoTime() < deadline) {
        s.next();
      }
      assertThat(s.comments).anyMatch(c -> c.contains("heartbeat"));
    }
  }

  @Test
  void beyondTheSubscriberLimitTheServerAnswers503() throws Exception {
    try (Stream a = new Stream("/subscribe/all"); Stream b = new Stream("/subscribe/all"); Stream c = new Stream("/subscribe/all")) {
      a.awaitLive();
      b.awaitLive();
      c.awaitLive();
      RawHttp.Response refused = RawHttp.request(server.port(), "GET", "/subscribe/all", Map.of(), null);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(Http.JSON.readTree(refused.body()).path("error").asText()).isEqualTo("too_many_subscribers");
    }
  }

  @Test
  void aClientThatStopsReadingNeverBlocksWritersAndLaterGetsEverythingInOrder() throws Exception {
    try (Stream slow = new Stream("/subscribe/all", Map.of(), 4096)) {
      slow.awaitLive();
      // 40,000 events of ~300 bytes as SSE: far more than the socket buffers hold while nobody reads.
      for (int k = 0; k < 400; k++) {
        append("Busy-" + (k % 7), 100, k * 100 + 1);
      }
      assertThat(store.headPosition()).isEqualTo(40_000);
      long expected = 1;
      while (expected <= 40_000) {
        Sse e = slow.nextEvent();
        assertThat(e).as("event " + expected).isNotNull();
        assertThat(e.id()).isEqualTo(Long.toString(expected));
        expected++;
      }
    }
  }

  @Test
  void shutdownEndsStreamsOfClientsThatStoppedReadingTogetherNotOneAfterAnother() throws Exception {
    List<Stream> stuck = new ArrayList<>();
    try {
      for (int k = 0; k < 3; k++) {
        Stream s = new Stream("/subscribe/all", Map.of(), 4096);
        s.awaitLive();
        stuck.add(s);
      }
      for (int k = 0; k < 400; k++) { // far more than the socket buffers hold: every subscription thread blocks in a write
        append("Busy-" + (k % 7), 100, k * 100 + 1);
      }
      long started = System.nanoTime();
      server.close();
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      // Each stuck stream waits up to its subscription's close timeout (10 s): one after another that is over 30 s.
      assertThat(took).isLessThan(Duration.ofSeconds(25));
    } finally {
      for (Stream s : stuck) {
        s.close();
      }
    }
  }

  @Test
  void aStreamThatCannotSubscribeEndsSayingWhy() throws Exception {
    store.close(); // the server still runs, but its store can no longer subscribe
    try (Stream s = new Stream("/subscribe/all")) {
      Sse end = s.next();
      while (end != null && ":".equals(end.event())) { // the opening comment
        end = s.next();
      }
      assertThat(end).as("an event saying why the stream ends").isNotNull();
      assertThat(end.event()).isEqualTo("$end");
      assertThat(end.json().path("reason").asText()).isEqualTo("subscription failed (unavailable)");
      assertThat(s.next()).isNull();
    }
  }

  @Test
  void shutdownEndsEveryStreamWithAnEndEvent() throws Exception {
    try (Stream s = new Stream("/subscribe/all")) {
      s.awaitLive();
      Thread closer = new Thread(server::close);
      closer.start();
      Sse end = s.next();
      while (end != null && !"$end".equals(end.event())) {
        end = s.next();
      }
      assertThat(end).isNotNull();
      assertThat(end.data()).contains("shutting down");
      closer.join();
    }
  }
}
