package io.factum.bench;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.embedded.EmbeddedEventStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The embedded store measured against the raw log, in one run: appends by batch size and by number
 * of concurrent writers (every append fsync'd before it returns), reads ({@code readAll}, one long
 * stream, a catch-up subscription) and re-opening a large store.
 */
final class EmbeddedSuite {

  static final int PAYLOAD_BYTES = 256;

  /** Sizes of one run; {@link #quick()} is for the smoke test, {@link #full()} for real numbers. */
  record Settings(double seconds, int repetitions, long readEvents, long reopenEvents, int reopenStreams, int[] batchSizes,
      int[] threadCounts, int[] syncEvery) {

    static Settings full() {
      return new Settings(2.0, 5, 2_000_000, 10_000_000, 1_000_000, new int[] {1, 10, 100, 1000}, new int[] {1, 4, 16, 64},
          new int[] {1, 10, 100, 1000});
    }

    static Settings quick() {
      return new Settings(0.2, 2, 20_000, 50_000, 5_000, new int[] {1, 100}, new int[] {1, 8}, new int[] {1, 100});
    }
  }

  private final Path work;
  private final Settings settings;
  private final Report report;

  EmbeddedSuite(Path work, Settings settings, Report report) {
    this.work = work;
    this.settings = settings;
    this.report = report;
    report.setting("secondsPerRepetition", settings.seconds());
    report.setting("repetitions", settings.repetitions());
    report.setting("payloadBytes", PAYLOAD_BYTES);
    report.setting("filesystem", Machine.filesystemOf(work));
    report.setting("durability", "every append fsync'd (fdatasync) before it returns");
  }

  void run() throws Exception {
    Files.createDirectories(work);
    System.out.println("Raw log baseline (one thread, fdatasync every N records, " + PAYLOAD_BYTES + "-byte payloads)");
    Map<Integer, Measurement> rawAppend = new java.util.HashMap<>();
    Map<Integer, Measurement> rawPrealloc = new java.util.HashMap<>();
    for (int n : settings.syncEvery()) {
      rawAppend.put(n, report.add(Measurement.of("raw-log-append", Map.of("syncEvery", n, "file", "growing"), "records/s",
          repeat(() -> RawLog.append(work.resolve("raw.log"), RawLog.Mode.APPEND, n, PAYLOAD_BYTES, settings.seconds(), 0)))));
      long prealloc = (long) Math.min(1.5 * (1L << 30), Math.max(64L << 20, n * 2_000L * (8 + PAYLOAD_BYTES) * settings.seconds()));
      rawPrealloc.put(n, report.add(Measurement.of("raw-log-append", Map.of("syncEvery", n, "file", "preallocated"), "records/s",
          repeat(() -> RawLog.append(work.resolve("raw.log"), RawLog.Mode.PREALLOCATED, n, PAYLOAD_BYTES, settings.seconds(), prealloc)))));
    }

    System.out.println("Factum embedded: appends from one thread, by events per append");
    Map<Integer, Measurement> batched = new java.util.HashMap<>();
    for (int size : settings.batchSizes()) {
      Path dir = fresh("batch-" + size);
      try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
        batched.put(size, report.add(Measurement.of("embedded-append", Map.of("eventsPerAppend", size, "threads", 1), "events/s",
            repeat(() -> appendLoop(store, size, 1, settings.seconds(), null)))));
      }
      delete(dir);
    }

    System.out.println("Raw group commit baseline (threads blocking per record, one writer, one fdatasync per group)");
    Map<Integer, Measurement> rawGroups = new java.util.HashMap<>();
    for (int threads : settings.threadCounts()) {
      rawGroups.put(threads, report.add(Measurement.of("raw-group-commit", Map.of("threads", threads, "file", "preallocated"),
          "records/s", repeat(() -> RawGroupCommit.append(work.resolve("raw-group.log"), threads, PAYLOAD_BYTES, settings.seconds())))));
    }

    System.out.println("Factum embedded: single-event appends from concurrent threads (group commit)");
    Map<Integer, Measurement> threaded = new java.util.HashMap<>();
    for (int threads : settings.threadCounts()) {
      Path dir = fresh("threads-" + threads);
      try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
        long[][] latencies = new long[1][];
        double[] samples = repeat(() -> {
          long[] lat = new long[4_000_000];
          double rate = appendLoop(store, 1, threads, settings.seconds(), lat);
          latencies[0] = lat;
          return rate;
        });
        long[] lat = latencies[0];
        int n = (int) lat[lat.length - 1];
        Measurement m = Measurement.of("embedded-append", Map.of("eventsPerAppend", 1, "threads", threads), "events/s", samples)
            .with("latencyP50Micros", Measurement.percentile(lat, n, 50) / 1000.0)
            .with("latencyP99Micros", Measurement.percentile(lat, n, 99) / 1000.0);
        threaded.put(threads, report.add(m));
      }
      delete(dir);
    }

    System.out.println("Factum embedded: pipelined appends (appendAsync, several in flight per thread)");
    int maxBatchSize = settings.batchSizes()[settings.batchSizes().length - 1];
    int maxThreadCount = settings.threadCounts()[settings.threadCounts().length - 1];
    Map<String, Measurement> pipelined = new java.util.HashMap<>();
    for (int[] load : new int[][] {{maxBatchSize, 1, 4}, {1, 1, 256}, {1, maxThreadCount, 16}}) {
      int size = load[0];
      int threads = load[1];
      int inFlight = load[2];
      Path dir = fresh("pipelined-" + size + "-" + threads);
      try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
        pipelined.put(size + "x" + threads, report.add(Measurement.of("embedded-append-pipelined",
            Map.of("eventsPerAppend", size, "threads", threads, "inFlightPerThread", inFlight), "events/s",
            repeat(() -> pipelinedLoop(store, size, threads, inFlight, settings.seconds())))));
      }
      delete(dir);
    }

    System.out.println("Reads of a store of " + settings.readEvents() + " events");
    Path readDir = fresh("reads");
    try (EmbeddedEventStore store = EmbeddedEventStore.open(readDir)) {
      fill(store, settings.readEvents(), 1000, 1000, "Read-target", 10_000);
      long head = store.headPosition();
      Measurement readAll = report.add(Measurement.of("embedded-readAll", Map.of("events", head, "pageSize", 1000), "events/s",
          repeat(() -> readAll(store))));
      Path raw = work.resolve("raw-read.log");
      RawLog.write(raw, head, PAYLOAD_BYTES);
      Measurement rawRead = report.add(Measurement.of("raw-log-read", Map.of("records", head), "records/s", repeat(() -> RawLog.read(raw))));
      Files.delete(raw);
      report.add(Measurement.of("embedded-readStream", Map.of("streamEvents", 10_000, "pageSize", 1000), "events/s",
          repeat(() -> readStream(store, "Read-target"))));
      report.add(Measurement.of("embedded-readAll-filtered", Map.of("filter", "eventType (1 in 10)", "events", head), "events examined/s",
          repeat(() -> readFiltered(store))));
      report.add(Measurement.of("embedded-subscription-catch-up", Map.of("events", head), "events/s", repeat(() -> catchUp(store))));
      report.ratio("readAll / raw sequential read", readAll, rawRead, null);
      report.setting("readAllTarget", "≥ 1,000,000 events/s");
    }
    delete(readDir);

    System.out.println("Re-opening a store of " + settings.reopenEvents() + " events in " + settings.reopenStreams() + " streams");
    Path reopenDir = fresh("reopen");
    long built = System.nanoTime();
    try (EmbeddedEventStore store = EmbeddedEventStore.open(reopenDir)) {
      fillManyStreams(store, settings.reopenEvents(), settings.reopenStreams());
    }
    double buildSeconds = (System.nanoTime() - built) / 1e9;
    report.add(Measurement.of("embedded-build-large-store", Map.of("events", settings.reopenEvents(), "streams", settings.reopenStreams(),
        "threads", 16, "eventsPerAppend", 10), "events/s", new double[] {settings.reopenEvents() / buildSeconds}));
    report.add(Measurement.of("embedded-reopen", Map.of("events", settings.reopenEvents(), "streams", settings.reopenStreams(),
        "after", "clean close"), "seconds", repeat(() -> reopen(reopenDir))));
    Files.delete(reopenDir.resolve("index").resolve("checkpoint"));
    report.add(Measurement.of("embedded-reopen", Map.of("events", settings.reopenEvents(), "streams", settings.reopenStreams(),
        "after", "index checkpoint lost (full rebuild)"), "seconds", new double[] {reopen(reopenDir)}));
    delete(reopenDir);

    int maxBatch = settings.batchSizes()[settings.batchSizes().length - 1];
    int maxSync = settings.syncEvery()[settings.syncEvery().length - 1];
    report.ratio("batched appends (" + maxBatch + "/call) / raw growing file (N=" + maxSync + ")", batched.get(maxBatch), rawAppend.get(maxSync), 0.5);
    report.ratio("batched appends (" + maxBatch + "/call) / raw preallocated file (N=" + maxSync + ")", batched.get(maxBatch),
        rawPrealloc.get(maxSync), null);
    report.ratio("single appends, 1 thread / raw growing file (N=1)", batched.get(1), rawAppend.get(1), null);
    report.ratio("pipelined batched appends (" + maxBatch + "/call, 4 in flight) / raw growing file (N=" + maxSync + ")",
        pipelined.get(maxBatch + "x1"), rawAppend.get(maxSync), 0.5);

    int maxThreads = settings.threadCounts()[settings.threadCounts().length - 1];
    report.ratio(maxThreads + " threads of single appends / raw growing file (N=1)", threaded.get(maxThreads), rawAppend.get(1), null);
    for (int threads : settings.threadCounts()) {
      report.ratio(threads + " threads of single appends / raw group commit (" + threads + " threads)", threaded.get(threads),
          rawGroups.get(threads), null);
    }
  }

  // ---------------------------------------------------------------- workloads

  private static EventData event(SplittableRandom random, String type) {
    UUID id = new UUID((random.nextLong() & ~0xF000L) | 0x4000L, (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
    return EventData.json(type, PAYLOAD).withId(id);
  }

  /** {@code {"p":"xxx…"}}: exactly {@value #PAYLOAD_BYTES} bytes of JSON. */
  static final String PAYLOAD = "{\"p\":\"" + "x".repeat(PAYLOAD_BYTES - 8) + "\"}";

  /**
   * Appends for {@code seconds} from {@code threads} threads with {@code appendAsync}, each keeping up
   * to {@code inFlight} appends unanswered; returns acknowledged events/s.
   */
  private static double pipelinedLoop(EmbeddedEventStore store, int size, int threads, int inFlight, double seconds) throws Exception {
    AtomicLong events = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    CountDownLatch go = new CountDownLatch(1);
    long[] deadline = new long[1];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> {
        SplittableRandom random = new SplittableRandom(thread * 7919L + System.nanoTime());
        ArrayDeque<CompletableFuture<AppendResult>> pending = new ArrayDeque<>();
        try {
          go.await();
          long n = 0;
          for (int k = 0; System.nanoTime() < deadline[0]; k++) {
            if (pending.size() == inFlight) {
              n += pending.poll().join().eventCount();
            }
            List<EventData> batch = new ArrayList<>(size);
            for (int e = 0; e < size; e++) {
              batch.add(event(random, "BenchEvent"));
            }
            pending.add(store.appendAsync("P" + thread + "-" + (k % 100), ExpectedVersion.ANY, batch));
          }
          while (!pending.isEmpty()) {
            n += pending.poll().join().eventCount();
          }
          events.addAndGet(n);
        } catch (Throwable e) {
          failure[0] = e;
        }
      }, "bench-pipelined-" + t);
      workers.add(w);
      w.start();
    }
    long start = System.nanoTime();
    deadline[0] = start + (long) (seconds * 1e9);
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException("a bench writer failed", failure[0]);
    }
    return events.get() / ((System.nanoTime() - start) / 1e9);
  }

  /** Appends for {@code seconds} from {@code threads} threads, {@code size} events per append; returns events/s. */
  private static double appendLoop(EmbeddedEventStore store, int size, int threads, double seconds, long[] latencies) throws Exception {
    AtomicLong events = new AtomicLong();
    AtomicLong recorded = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    long[] window = new long[2];
    Throwable[] failure = new Throwable[1];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> {
        SplittableRandom random = new SplittableRandom(thread * 7919L + System.nanoTime());
        List<EventData> batch = new ArrayList<>(size);
        ready.countDown();
        try {
          go.await();
          long deadline = window[1];
          long n = 0;
          for (int k = 0; System.nanoTime() < deadline; k++) {
            batch.clear();
            for (int e = 0; e < size; e++) {
              batch.add(event(random, "BenchEvent"));
            }
            long t0 = System.nanoTime();
            AppendResult r = store.append("T" + thread + "-" + (k % 100), ExpectedVersion.ANY, batch);
            long took = System.nanoTime() - t0;
            n += r.eventCount();
            if (latencies != null) {
              long slot = recorded.getAndIncrement();
              if (slot < latencies.length - 1) {
                latencies[(int) slot] = took;
              }
            }
          }
          events.addAndGet(n);
        } catch (Throwable e) {
          failure[0] = e;
        }
      }, "bench-writer-" + t);
      workers.add(w);
      w.start();
    }
    ready.await();
    window[0] = System.nanoTime();
    window[1] = window[0] + (long) (seconds * 1e9);
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException("a bench writer failed", failure[0]);
    }
    if (latencies != null) {
      latencies[latencies.length - 1] = Math.min(recorded.get(), latencies.length - 1);
    }
    return events.get() / ((System.nanoTime() - window[0]) / 1e9);
  }

  /** Fills a store: batches to many streams, with one stream of {@code targetEvents} spread through the log. */
  private static void fill(EmbeddedEventStore store, long events, int batch, int streams, String target, int targetEvents) {
    SplittableRandom random = new SplittableRandom(42);
    long perTarget = Math.max(1, events / (targetEvents / 10));
    long written = 0;
    int targetWritten = 0;
    List<EventData> b = new ArrayList<>();
    for (long k = 0; written < events; k++) {
      b.clear();
      for (int e = 0; e < batch; e++) {
        b.add(event(random, e % 10 == 0 ? "Rare" : "BenchEvent"));
      }
      written += store.append("Fill-" + (k % streams), ExpectedVersion.ANY, b).eventCount();
      if (targetWritten < targetEvents && written / perTarget > targetWritten / 10) {
        List<EventData> t = new ArrayList<>();
        for (int e = 0; e < 10; e++) {
          t.add(event(random, "BenchEvent"));
        }
        written += store.append(target, ExpectedVersion.ANY, t).eventCount();
        targetWritten += 10;
      }
    }
    while (targetWritten < targetEvents) {
      List<EventData> t = new ArrayList<>();
      for (int e = 0; e < 10; e++) {
        t.add(event(random, "BenchEvent"));
      }
      store.append(target, ExpectedVersion.ANY, t);
      targetWritten += 10;
    }
  }

  /** Fills a store with {@code events} events over {@code streams} streams, 10 per append, from 16 threads. */
  private static void fillManyStreams(EmbeddedEventStore store, long events, int streams) throws InterruptedException {
    AtomicLong next = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    long appends = events / 10;
    long started = System.nanoTime();
    for (int t = 0; t < 16; t++) {
      int thread = t;
      Thread w = new Thread(() -> {
        SplittableRandom random = new SplittableRandom(thread);
        List<EventData> b = new ArrayList<>(10);
        for (long k = next.getAndIncrement(); k < appends; k = next.getAndIncrement()) {
          b.clear();
          for (int e = 0; e < 10; e++) {
            b.add(event(random, "BenchEvent"));
          }
          store.append("Many-" + (k % streams), ExpectedVersion.ANY, b);
          if (thread == 0 && k % 50_000 == 0) {
            System.out.printf("    building: %,d of %,d events (%.0f s)%n", k * 10, events, (System.nanoTime() - started) / 1e9);
          }
        }
      }, "bench-builder-" + t);
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
  }

  private static double readAll(EmbeddedEventStore store) {
    long start = System.nanoTime();
    long count = 0;
    long after = 0;
    while (true) {
      List<RecordedEvent> page = store.readAll(after, 1000);
      if (page.isEmpty()) {
        break;
      }
      count += page.size();
      after = page.get(page.size() - 1).globalPosition();
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  private static double readFiltered(EmbeddedEventStore store) {
    long start = System.nanoTime();
    long after = 0;
    long head = store.headPosition();
    while (after < head) {
      List<RecordedEvent> page = store.readAll(after, 1000, EventFilter.eventTypes("Rare"));
      if (page.isEmpty()) {
        break;
      }
      after = page.get(page.size() - 1).globalPosition();
    }
    return head / ((System.nanoTime() - start) / 1e9);
  }

  private double readStream(EmbeddedEventStore store, String stream) {
    long start = System.nanoTime();
    long count = 0;
    long deadline = start + (long) (settings.seconds() * 1e9);
    while (System.nanoTime() < deadline) {
      for (long from = 1; ; ) {
        List<RecordedEvent> page = store.readStream(stream, from, 1000);
        if (page.isEmpty()) {
          break;
        }
        count += page.size();
        from = page.get(page.size() - 1).version() + 1;
      }
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  private static double catchUp(EmbeddedEventStore store) throws InterruptedException {
    long head = store.headPosition();
    CountDownLatch done = new CountDownLatch(1);
    AtomicLong seen = new AtomicLong();
    long start = System.nanoTime();
    try (Subscription s = store.subscribeToAll(0, EventFilter.ALL, e -> {
      if (seen.incrementAndGet() == head) {
        done.countDown();
      }
    })) {
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("catch-up did not finish");
      }
    }
    return head / ((System.nanoTime() - start) / 1e9);
  }

  private static double reopen(Path dir) {
    long start = System.nanoTime();
    EmbeddedEventStore store = EmbeddedEventStore.open(dir);
    double seconds = (System.nanoTime() - start) / 1e9;
    store.close();
    return seconds;
  }

  // ---------------------------------------------------------------- plumbing

  @FunctionalInterface
  interface Sample {
    double take() throws Exception;
  }

  /** One unrecorded warm-up, then the configured repetitions. */
  private double[] repeat(Sample sample) throws Exception {
    sample.take();
    double[] out = new double[settings.repetitions()];
    for (int k = 0; k < out.length; k++) {
      out[k] = sample.take();
    }
    return out;
  }

  private Path fresh(String name) throws IOException {
    Path dir = work.resolve(name);
    if (Files.exists(dir)) {
      delete(dir);
    }
    return dir;
  }

  static void delete(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
