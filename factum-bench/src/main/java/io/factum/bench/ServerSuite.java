package io.factum.bench;

import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.client.ClientOptions;
import io.factum.client.FactumClient;
import io.factum.embedded.EmbeddedEventStore;
import io.factum.server.FactumServer;
import io.factum.server.ServerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server over real HTTP on loopback, each number next to the same work done in-process on the
 * same embedded store in the same run: appends from 1 and 64 connections, reads of {@code $all}, and
 * the delivery latency of Server-Sent Events to 100 subscribers. The load generator runs in the same
 * JVM as the server (one 2-core machine), so the HTTP numbers include the client's own cost; appends
 * are driven twice, through {@link FactumClient} (what a Java application gets) and through {@link
 * WireLoad} (a minimal client, close to what the server alone can serve).
 */
final class ServerSuite {

  /** One event per append, the same 256-byte payload as every other suite. */
  private static final String APPEND_BODY = "[{\"event_type\":\"Loaded\",\"data\":" + EmbeddedSuite.PAYLOAD + "}]";

  private final Path work;
  private final boolean quick;
  private final Report report;
  private final double seconds;
  private final int repetitions;

  ServerSuite(Path work, boolean quick, Report report) {
    this.work = work;
    this.quick = quick;
    this.report = report;
    this.seconds = quick ? 0.5 : 5;
    this.repetitions = quick ? 1 : 3;
  }

  void run() throws Exception {
    EmbeddedSuite.delete(work);
    report.setting("payloadBytes", EmbeddedSuite.PAYLOAD_BYTES);
    report.setting("storage", "embedded, every append fsync'd");
    report.setting("loadGenerator", "same JVM as the server: FactumClient (Apache HttpClient 5, blocking) and a minimal keep-alive HTTP/1.1 wire client");
    try (EmbeddedEventStore store = EmbeddedEventStore.open(work.resolve("store"));
        FactumServer server = FactumServer.start(store, ServerOptions.DEFAULT.withPort(0).withMaxSubscribers(500).withStorageName("embedded"));
        FactumClient client = FactumClient.connect(server.uri(), ClientOptions.DEFAULT)) {
      Measurement wire64 = null;
      for (int threads : new int[] {1, 64}) {
        Map<String, Object> params = Map.of("threads", threads, "eventsPerAppend", 1);
        Measurement http = report.add(Measurement.of("http-append-java-client", params, "events/s", repeat(() -> appends(client, threads))));
        Measurement wire = report.add(Measurement.of("http-append-wire", params, "events/s",
            repeat(() -> WireLoad.run(server.uri(), threads, seconds, t -> WireLoad.request("POST", "/streams/Wire-" + t, APPEND_BODY), 201))));
        Measurement local = report.add(Measurement.of("in-process-append", params, "events/s", repeat(() -> appends(store, threads))));
        report.ratio("http (wire load) / in-process appends (" + threads + " threads)", wire, local, null);
        report.ratio("FactumClient / wire load appends (" + threads + " threads)", http, wire, null);
        wire64 = wire;
      }
      byte[] live = WireLoad.request("GET", "/health/live", null);
      Measurement noop = report.add(Measurement.of("http-noop-wire", Map.of("threads", 64, "request", "GET /health/live"), "requests/s",
          repeat(() -> WireLoad.run(server.uri(), 64, seconds, t -> live, 200))));
      report.ratio("http appends / http no-op requests (64 connections, wire load)", wire64, noop, null);

      fill(store, quick ? 20_000 : 300_000);
      long head = store.headPosition();
      Measurement httpRead = report.add(Measurement.of("http-read-all", Map.of("events", head, "page", 1000), "events/s",
          repeat(() -> readAll(client, head))));
      Measurement localRead = report.add(Measurement.of("in-process-read-all", Map.of("events", head, "page", 1000), "events/s",
          repeat(() -> readAll(store, head))));
      report.ratio("http / in-process readAll", httpRead, localRead, null);

      int subscribers = quick ? 10 : 100;
      int events = quick ? 200 : 2_000;
      Measurement sse = latency("sse-delivery-latency", client, store, subscribers, events);
      Measurement inProcess = latency("in-process-delivery-latency", store, store, subscribers, events);
      report.ratio("sse / in-process delivery latency p50", sse, inProcess, null);
      report.ratio("sse / in-process delivery latency p99", p99(sse), p99(inProcess), null);
    }
  }

  private static Measurement p99(Measurement m) {
    return Measurement.of(m.name() + "-p99", m.params(), m.unit(), new double[] {m.extra().get("p99Micros")});
  }

  private double[] repeat(EmbeddedSuite.Sample sample) throws Exception {
    sample.take();
    double[] out = new double[repetitions];
    for (int k = 0; k < repetitions; k++) {
      out[k] = sample.take();
    }
    return out;
  }

  /** Single-event appends from {@code threads} threads for the sample time; events per second. */
  private double appends(EventStore store, int threads) throws Exception {
    AtomicLong events = new AtomicLong();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    AtomicInteger failures = new AtomicInteger();
    List<Thread> writers = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> {
        String stream = "Load-" + thread;
        long n = 0;
        try {
          while (System.nanoTime() < end) {
            store.append(stream, ExpectedVersion.ANY, EventData.json("Loaded", EmbeddedSuite.PAYLOAD));
            n++;
          }
        } catch (RuntimeException e) {
          failures.incrementAndGet();
          e.printStackTrace();
        }
        events.addAndGet(n);
      });
      writers.add(w);
      w.start();
    }
    for (Thread w : writers) {
      w.join();
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " writers failed");
    }
    return events.get() / ((System.nanoTime() - start) / 1e9);
  }

  private static void fill(EventStore store, int events) {
    List<EventData> batch = new ArrayList<>();
    for (int k = 0; k < 1000; k++) {
      batch.add(EventData.json("Filled", EmbeddedSuite.PAYLOAD));
    }
    for (int written = 0; written < events; written += batch.size()) {
      store.append("Fill-" + (written / 1000 % 100), ExpectedVersion.ANY, batch);
    }
  }

  /** Reads {@code $all} from the start in pages of 1,000; events per second. */
  private static double readAll(EventStore store, long head) {
    long start = System.nanoTime();
    long after = 0;
    long n = 0;
    while (after < head) {
      List<RecordedEvent> page = store.readAll(after, 1000);
      if (page.isEmpty()) {
        break;
      }
      n += page.size();
      after = page.get(page.size() - 1).globalPosition();
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * {@code subscribers} live subscriptions through {@code subscribeVia}; one writer appends {@code
   * events} events (about 500 a second) to {@code store}, each stamped with the time its append was
   * called; every subscriber records when it got each one. Percentiles over all deliveries.
   */
  private Measurement latency(String name, EventStore subscribeVia, EventStore store, int subscribers, int events) throws Exception {
    long after = store.headPosition();
    long[] latencies = new long[subscribers * events];
    AtomicInteger received = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(subscribers);
    List<Subscription> subs = new ArrayList<>();
    for (int s = 0; s < subscribers; s++) {
      AtomicInteger mine = new AtomicInteger();
      subs.add(subscribeVia.subscribeToAll(after, EventFilter.eventTypes("Stamped"), e -> {
        long sent = Long.parseLong(e.dataAsString().substring(6, e.dataAsString().length() - 1));
        int k = received.getAndIncrement();
        if (k < latencies.length) {
          latencies[k] = System.nanoTime() - sent;
        }
        if (mine.incrementAndGet() == events) {
          done.countDown();
        }
      }));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!subs.stream().allMatch(Subscription::isLive) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    for (int k = 0; k < events; k++) {
      store.append("Latency-" + (k % 10), ExpectedVersion.ANY, EventData.json("Stamped", "{\"at\":" + System.nanoTime() + "}"));
      Thread.sleep(2);
    }
    if (!done.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + ": not every subscriber got every event");
    }
    subs.forEach(Subscription::close);
    int n = Math.min(received.get(), latencies.length);
    double[] micros = new double[n];
    for (int k = 0; k < n; k++) {
      micros[k] = latencies[k] / 1000.0;
    }
    double p50 = Measurement.percentile(micros, 50);
    return report.add(Measurement.of(name, Map.of("subscribers", subscribers, "events", events, "ratePerSecond", 500,
        "from", "append called", "to", "handler called"), "µs", new double[] {p50})
        .with("p50Micros", p50).with("p99Micros", Measurement.percentile(micros, 99)).with("maxMicros", Measurement.percentile(micros, 100)));
  }
}
