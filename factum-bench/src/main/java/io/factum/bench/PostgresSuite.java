package io.factum.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.Subscription;
import io.factum.postgres.PostgresEventStore;
import io.factum.postgres.PostgresOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.DataSourceConnectionProvider;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * Appends on one PostgreSQL (started here, fsync and synchronous_commit on), measured in one run:
 * the guide's naive algorithm, Axon Framework 4.13's JdbcEventStorageEngine, raw JDBC batch INSERT
 * into Factum's own table (the limit), and Factum; plus Factum's subscription latency.
 */
final class PostgresSuite {

  /** A workload: events per append and appending threads. */
  record Load(String name, int eventsPerAppend, int threads) {}

  /** One system under test. */
  interface Appender {
    /** Prepares per-thread state (its own stream/aggregate); returns an action appending {@code n} events. */
    Append forThread(int thread) throws Exception;
  }

  @FunctionalInterface
  interface Append {
    void append(int n) throws Exception;

    /** Waits for appends still in flight (pipelined appenders); called when the time is up. */
    default void drain() throws Exception {}
  }

  private final double seconds;
  private final int repetitions;
  private DataSource settlingPool;
  private final Report report;
  private final boolean quick;

  PostgresSuite(boolean quick, Report report) {
    this.quick = quick;
    this.seconds = quick ? 0.3 : 3.0;
    this.repetitions = quick ? 1 : 3;
    this.report = report;
    report.setting("secondsPerRepetition", seconds);
    report.setting("repetitions", repetitions);
    report.setting("payload", "256-byte JSON");
    report.setting("postgres", "zonky embedded PostgreSQL 18, fsync=on, synchronous_commit=on, same machine");
    report.setting("beforeEachMeasurement", "VACUUM ANALYZE; CHECKPOINT");
  }

  void run() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_connections", "300").start();
        HikariDataSource pool = pool(pg.getJdbcUrl("postgres", "postgres"), 70, false);
        HikariDataSource batchPool = pool(pg.getJdbcUrl("postgres", "postgres"), 4, true)) {
      List<Load> loads = quick
          ? List.of(new Load("batched", 100, 1), new Load("concurrent", 1, 8))
          : List.of(new Load("batched", 100, 1), new Load("concurrent", 1, 8), new Load("concurrent", 1, 64));

      settlingPool = pool;
      Naive naive = new Naive(pool);
      Axon axon = new Axon(pool);
      try (PostgresEventStore factum = PostgresEventStore.create(pool, PostgresOptions.DEFAULT.withSchema("bench_factum"))) {
        RawBatch raw = new RawBatch(batchPool);
        Appender factumAppender = thread -> {
          String stream = "Bench-" + thread + "-" + UUID.randomUUID();
          SplittableRandom random = new SplittableRandom(thread * 7919L + System.nanoTime()); // fresh ids every run
          return n -> {
            List<EventData> batch = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
              batch.add(EventData.json("BenchEvent", EmbeddedSuite.PAYLOAD).withId(new UUID(random.nextLong(), random.nextLong())));
            }
            factum.append(stream, ExpectedVersion.ANY, batch);
          };
        };
        for (Load load : loads) {
          System.out.println("Appends: " + load);
          Map<String, Object> params = Map.of("eventsPerAppend", load.eventsPerAppend(), "threads", load.threads());
          Measurement mNaive = report.add(Measurement.of("postgres-naive-guide", params, "events/s", measure(naive, load)));
          Measurement mAxon = report.add(Measurement.of("postgres-axon-4.13-jdbc", params, "events/s", measure(axon, load)));
          Measurement mFactum = report.add(Measurement.of("postgres-factum", params, "events/s", measure(factumAppender, load)));
          report.ratio("factum / naive guide (" + load.eventsPerAppend() + " per append, " + load.threads() + " threads)", mFactum, mNaive,
              load.threads() > 1 ? 5.0 : null);
          report.ratio("factum / axon (" + load.eventsPerAppend() + " per append, " + load.threads() + " threads)", mFactum, mAxon,
              load.threads() > 1 ? 2.0 : null);
          if (load.threads() > 1) {
            // The ceiling of any design whose commits run one at a time (as dense positions need): each
            // transaction holds at most one event per writer, so here one connection inserts that many
            // rows per transaction with no checks at all.
            Load serialized = new Load("serialized", load.threads(), 1);
            Measurement mCeiling = report.add(Measurement.of("postgres-raw-batch-insert", Map.of("eventsPerAppend", load.threads(),
                "threads", 1, "as", "ceiling of serialized commits for " + load.threads() + " writers"), "events/s", measure(raw, serialized)));
            report.ratio("serialized-commit ceiling (raw, " + load.threads() + " per commit) / axon (1 per append, " + load.threads()
                + " threads)", mCeiling, mAxon, null);
            report.ratio("factum / serialized-commit ceiling (" + load.threads() + " writers)", mFactum, mCeiling, null);
          }
          if (load.eventsPerAppend() == 100) {
            Measurement mRaw = report.add(Measurement.of("postgres-raw-batch-insert", params, "events/s", measure(raw, load)));
            report.ratio("factum / raw batch INSERT (100 per append)", mFactum, mRaw, 0.6);
          }
        }
        Load pipelinedLoad = new Load("pipelined", 1, 1);
        int inFlight = quick ? 8 : 64;
        System.out.println("Appends: one thread keeping " + inFlight + " single-event appendAsync in flight");
        for (int streams : new int[] {100, 1}) {
          report.add(Measurement.of("postgres-factum-pipelined", Map.of("eventsPerAppend", 1, "threads", 1, "inFlight", inFlight,
              "streams", streams), "events/s", measure(pipelined(factum, inFlight, streams), pipelinedLoad)));
        }
        latency(factum);
      }
    }
  }

  /** One thread keeping up to {@code inFlight} appends to {@code streams} streams unanswered, waiting for the oldest when full. */
  private static Appender pipelined(PostgresEventStore factum, int inFlight, int streams) {
    return thread -> {
      // a round of streams: with 100 (as the embedded bench) appends in flight together go to distinct
      // streams; with 1, groups hold several appends to one stream (factum_append's per-append path)
      String prefix = "Pipelined-" + thread + "-" + UUID.randomUUID() + "-";
      SplittableRandom random = new SplittableRandom(thread * 7919L + System.nanoTime());
      ArrayDeque<CompletableFuture<AppendResult>> pending = new ArrayDeque<>();
      return new Append() {
        private long started;

        @Override
        public void append(int n) {
          String stream = prefix + (started++ % streams);
          if (pending.size() == inFlight) {
            pending.poll().join();
          }
          List<EventData> batch = new ArrayList<>(n);
          for (int k = 0; k < n; k++) {
            batch.add(EventData.json("BenchEvent", EmbeddedSuite.PAYLOAD).withId(new UUID(random.nextLong(), random.nextLong())));
          }
          pending.add(factum.appendAsync(stream, ExpectedVersion.ANY, batch));
        }

        @Override
        public void drain() {
          while (!pending.isEmpty()) {
            pending.poll().join();
          }
        }
      };
    };
  }

  private void latency(PostgresEventStore factum) throws Exception {
    int events = quick ? 300 : 5_000;
    long[] latencies = new long[events];
    AtomicLong received = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    long after = factum.headPosition();
    try (Subscription s = factum.subscribeToAll(after, EventFilter.streamPrefixes("Latency-"), e -> {
      long sent = Long.parseLong(e.dataAsString().replaceAll("[^0-9]", ""));
      int k = (int) received.getAndIncrement();
      if (k < latencies.length) {
        latencies[k] = System.nanoTime() - sent;
      }
      if (k + 1 == events) {
        done.countDown();
      }
    })) {
      Thread.sleep(200);
      int threads = 8;
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread w = new Thread(() -> {
          for (int k = thread; k < events; k += threads) {
            factum.append("Latency-" + thread, ExpectedVersion.ANY, EventData.json("Sent", "{\"at\":" + System.nanoTime() + "}"));
          }
        });
        writers.add(w);
        w.start();
      }
      for (Thread w : writers) {
        w.join();
      }
      done.await();
    }
    double[] micros = new double[events];
    for (int k = 0; k < events; k++) {
      micros[k] = latencies[k] / 1000.0;
    }
    Measurement m = Measurement.of("postgres-factum-subscription-latency", Map.of("events", events, "writers", 8,
        "from", "append called", "to", "handler called"), "µs", new double[] {Measurement.percentile(micros, 50)})
        .with("p50Micros", Measurement.percentile(micros, 50)).with("p99Micros", Measurement.percentile(micros, 99));
    report.add(m);
  }

  private double[] measure(Appender appender, Load load) throws Exception {
    settle();
    run(appender, load, Math.min(seconds, 1.0)); // warm-up
    double[] out = new double[repetitions];
    for (int k = 0; k < repetitions; k++) {
      out[k] = run(appender, load, seconds);
    }
    return out;
  }

  /**
   * Every measurement starts from the same database state: what the one before it left behind (dirty
   * pages for the next checkpoint to write, dead rows for autovacuum) is dealt with first, so it does
   * not land in the next system's time.
   */
  private void settle() throws Exception {
    try (Connection c = settlingPool.getConnection(); Statement s = c.createStatement()) {
      s.execute("VACUUM ANALYZE");
      s.execute("CHECKPOINT");
    }
  }

  private static double run(Appender appender, Load load, double seconds) throws Exception {
    AtomicLong events = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(load.threads());
    CountDownLatch go = new CountDownLatch(1);
    long[] window = new long[2];
    Throwable[] failure = new Throwable[1];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < load.threads(); t++) {
      int thread = t;
      Thread w = new Thread(() -> {
        try {
          Append append = appender.forThread(thread);
          ready.countDown();
          go.await();
          long n = 0;
          while (System.nanoTime() < window[1]) {
            append.append(load.eventsPerAppend());
            n += load.eventsPerAppend();
          }
          append.drain();
          events.addAndGet(n);
        } catch (Throwable e) {
          failure[0] = e;
          ready.countDown();
        }
      });
      threads.add(w);
      w.start();
    }
    ready.await();
    window[0] = System.nanoTime();
    window[1] = window[0] + (long) (seconds * 1e9);
    go.countDown();
    for (Thread w : threads) {
      w.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException("a bench writer failed", failure[0]);
    }
    return events.get() / ((System.nanoTime() - window[0]) / 1e9);
  }

  private static HikariDataSource pool(String url, int size, boolean rewriteBatches) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url + (rewriteBatches ? "&reWriteBatchedInserts=true" : ""));
    c.setMaximumPoolSize(size);
    c.setMinimumIdle(Math.min(size, 8));
    return new HikariDataSource(c);
  }

  /** The guide's PostgreSQL store, as written: SELECT MAX(version), then one INSERT per event. */
  static final class Naive implements Appender {
    private final DataSource db;

    Naive(DataSource db) throws Exception {
      this.db = db;
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS naive");
        s.execute("CREATE TABLE IF NOT EXISTS naive.events (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), "
            + "stream_id VARCHAR(255) NOT NULL, stream_type VARCHAR(255) NOT NULL, event_type VARCHAR(255) NOT NULL, "
            + "event_data JSONB NOT NULL, metadata JSONB DEFAULT '{}', version BIGINT NOT NULL, global_position BIGSERIAL, "
            + "created_at TIMESTAMPTZ DEFAULT NOW(), CONSTRAINT unique_stream_version UNIQUE (stream_id, version))");
        s.execute("CREATE INDEX IF NOT EXISTS idx_events_stream ON naive.events(stream_id, version)");
        s.execute("CREATE INDEX IF NOT EXISTS idx_events_global ON naive.events(global_position)");
        s.execute("CREATE INDEX IF NOT EXISTS idx_events_type ON naive.events(event_type)");
      }
    }

    @Override
    public Append forThread(int thread) {
      String stream = "Bench-" + thread + "-" + UUID.randomUUID();
      long[] version = {0};
      return n -> {
        try (Connection c = db.getConnection()) {
          c.setAutoCommit(false);
          try {
            try (PreparedStatement s = c.prepareStatement("SELECT MAX(version) FROM naive.events WHERE stream_id = ?")) {
              s.setString(1, stream);
              try (ResultSet r = s.executeQuery()) {
                r.next();
                if (r.getLong(1) != version[0]) {
                  throw new IllegalStateException("concurrency error");
                }
              }
            }
            long start;
            try (PreparedStatement s = c.prepareStatement("SELECT COALESCE(MAX(version), 0) + 1 FROM naive.events WHERE stream_id = ?")) {
              s.setString(1, stream);
              try (ResultSet r = s.executeQuery()) {
                r.next();
                start = r.getLong(1);
              }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO naive.events (id, stream_id, stream_type, event_type, "
                + "event_data, metadata, version) VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?) RETURNING global_position")) {
              for (int k = 0; k < n; k++) {
                s.setObject(1, UUID.randomUUID());
                s.setString(2, stream);
                s.setString(3, "Bench");
                s.setString(4, "BenchEvent");
                s.setString(5, EmbeddedSuite.PAYLOAD);
                s.setString(6, "{}");
                s.setLong(7, start + k);
                try (ResultSet r = s.executeQuery()) {
                  r.next();
                }
              }
            }
            c.commit();
            version[0] = start + n - 1;
          } catch (Exception e) {
            c.rollback();
            throw e;
          }
        }
      };
    }
  }

  /** Axon Framework 4.13's JdbcEventStorageEngine, without Spring, on the same pool. */
  static final class Axon implements Appender {
    private final JdbcEventStorageEngine engine;

    /** The event payload Axon serialises with its JacksonSerializer. */
    public record Payload(String p) {}

    Axon(DataSource db) {
      JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
      engine = JdbcEventStorageEngine.builder().connectionProvider(new DataSourceConnectionProvider(db))
          .transactionManager(NoTransactionManager.INSTANCE).eventSerializer(serializer).snapshotSerializer(serializer).build();
      engine.createSchema(PostgresEventTableFactory.INSTANCE);
    }

    @Override
    public Append forThread(int thread) {
      String aggregate = "bench-" + thread + "-" + UUID.randomUUID();
      long[] sequence = {0};
      Payload payload = new Payload("x".repeat(248));
      return n -> {
        List<EventMessage<?>> batch = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
          batch.add(new GenericDomainEventMessage<>("Account", aggregate, sequence[0]++, payload));
        }
        engine.appendEvents(batch);
      };
    }
  }

  /** The limit: raw JDBC batch INSERT (rewritten into multi-row inserts) into Factum's table, no checks. */
  static final class RawBatch implements Appender {
    private final DataSource db;
    private final AtomicLong positions = new AtomicLong();

    RawBatch(DataSource db) throws Exception {
      this.db = db;
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS raw");
        s.execute("CREATE TABLE IF NOT EXISTS raw.events (LIKE bench_factum.events INCLUDING ALL)");
      }
    }

    @Override
    public Append forThread(int thread) {
      String stream = "Bench-" + thread + "-" + UUID.randomUUID();
      long[] version = {0};
      return n -> {
        try (Connection c = db.getConnection()) {
          c.setAutoCommit(false);
          try (PreparedStatement s = c.prepareStatement("INSERT INTO raw.events (id, stream_id, stream_type, event_type, event_data, "
              + "metadata, version, global_position) VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)")) {
            for (int k = 0; k < n; k++) {
              s.setObject(1, UUID.randomUUID());
              s.setString(2, stream);
              s.setString(3, "Bench");
              s.setString(4, "BenchEvent");
              s.setString(5, EmbeddedSuite.PAYLOAD);
              s.setString(6, "{}");
              s.setLong(7, ++version[0]);
              s.setLong(8, positions.incrementAndGet());
              s.addBatch();
            }
            s.executeBatch();
          }
          c.commit();
        }
      };
    }
  }
}
