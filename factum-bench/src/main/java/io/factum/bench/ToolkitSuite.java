package io.factum.bench;

import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.core.codec.JsonEventCodec;
import io.factum.core.command.AggregateLoader;
import io.factum.core.command.Decider;
import io.factum.core.command.SnapshotPolicy;
import io.factum.core.projection.CheckpointedProjection;
import io.factum.core.projection.JdbcProjection;
import io.factum.core.projection.ProjectionRunner;
import io.factum.embedded.EmbeddedEventStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The application toolkit on the embedded store: loading an aggregate by stream length, with and
 * without a snapshot, and rebuilding projections from scratch.
 */
final class ToolkitSuite {

  record Deposited(long amountCents, String note) {}

  record Account(long balanceCents, long deposits) {}

  static final JsonEventCodec CODEC = JsonEventCodec.builder().register(Deposited.class, "Deposited", 1).build();

  static final Decider<Object, Account, Deposited> DECIDER = new Decider<>() {
    public Account initialState() {
      return new Account(0, 0);
    }

    public List<Deposited> decide(Object command, Account state) {
      return List.of();
    }

    public Account evolve(Account state, Deposited event) {
      return new Account(state.balanceCents() + event.amountCents(), state.deposits() + 1);
    }
  };

  private final Path work;
  private final int repetitions;
  private final int[] lengths;
  private final Report report;

  ToolkitSuite(Path work, boolean quick, Report report) {
    this.work = work;
    this.repetitions = quick ? 2 : 5;
    this.lengths = quick ? new int[] {100, 5_000} : new int[] {100, 10_000, 1_000_000};
    this.report = report;
    report.setting("repetitions", repetitions);
    report.setting("store", "embedded, default options");
    report.setting("event", "Deposited {amount_cents, note}: about 60 bytes of JSON, decoded with Jackson");
  }

  void run() throws Exception {
    EmbeddedSuite.delete(work);
    try (EmbeddedEventStore store = EmbeddedEventStore.open(work.resolve("store"))) {
      System.out.println("Aggregate loads by stream length (events read, decoded and folded)");
      for (int length : lengths) {
        String stream = "Account-" + length;
        fill(store, stream, length);
        AggregateLoader<Account, Deposited> plain = new AggregateLoader<>(store, CODEC, DECIDER, Account.class, Deposited.class,
            SnapshotPolicy.NONE);
        report.add(Measurement.of("aggregate-load", Map.of("streamLength", length, "snapshot", "none"), "ms",
            repeat(() -> millis(() -> check(plain.load(stream), length, length)))));
        // a snapshot 10 events before the end: the load reads those 10
        AggregateLoader<Account, Deposited> snapshotting = new AggregateLoader<>(store, CODEC, DECIDER, Account.class, Deposited.class,
            SnapshotPolicy.everyEvents("Account", 1, Integer.MAX_VALUE)); // reads snapshots, never writes on a load
        store.snapshots().save(io.factum.api.Snapshot.of(stream, "Account", 1, length - 10,
            CODEC.mapper().writeValueAsString(new Account(100L * (length - 10), length - 10))));
        report.add(Measurement.of("aggregate-load", Map.of("streamLength", length, "snapshot", "10 events before the end"), "ms",
            repeat(() -> millis(() -> check(snapshotting.load(stream), length, 10)))));
      }

      long head = store.headPosition();
      System.out.println("Projection rebuilds over " + head + " events");
      report.add(Measurement.of("projection-rebuild", Map.of("events", head, "readModel", "in-memory map, checkpoint per batch"),
          "events/s", repeat(() -> rebuildInMemory(store, head))));
      report.add(Measurement.of("projection-rebuild", Map.of("events", head, "readModel", "H2 (SQL), one transaction per batch"),
          "events/s", repeat(() -> rebuildJdbc(store, head))));
      report.add(Measurement.of("embedded-readAll", Map.of("events", head, "pageSize", 512), "events/s", repeat(() -> readAll(store, head))));
    }
    EmbeddedSuite.delete(work);
  }

  private static void fill(EventStore store, String stream, int length) {
    List<EventData> batch = new ArrayList<>(1000);
    for (int written = 0; written < length; ) {
      batch.clear();
      for (int k = 0; k < 1000 && written + k < length; k++) {
        batch.add(CODEC.encode(new Deposited(100, "salary")));
      }
      written += store.append(stream, ExpectedVersion.ANY, batch).eventCount();
    }
  }

  private static Object check(AggregateLoader.Loaded<Account> loaded, int length, int replayed) {
    if (loaded.version() != length || loaded.eventsReplayed() != replayed || loaded.state().balanceCents() != 100L * length) {
      throw new IllegalStateException("wrong load: " + loaded);
    }
    return loaded;
  }

  private double rebuildInMemory(EventStore store, long head) throws Exception {
    Map<String, Long> balances = new ConcurrentHashMap<>();
    String name = "rebuild-" + UUID.randomUUID();
    long start = System.nanoTime();
    try (ProjectionRunner runner = new ProjectionRunner(store)) {
      runner.start(new CheckpointedProjection(name, EventFilter.ALL, e -> balances.merge(e.streamId(), 100L, Long::sum),
          store.checkpoints(), balances::clear));
      while (runner.status(name).position() < head) {
        Thread.sleep(1);
      }
    }
    store.checkpoints().delete("projection:" + name);
    return head / ((System.nanoTime() - start) / 1e9);
  }

  private double rebuildJdbc(EventStore store, long head) throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:bench-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE balances (account VARCHAR(255) PRIMARY KEY, cents BIGINT)");
    }
    JdbcProjection projection = new JdbcProjection("balances", EventFilter.ALL, h2) {
      @Override
      protected void apply(Connection c, RecordedEvent e) throws SQLException {
        Deposited d = CODEC.decode(e, Deposited.class);
        try (PreparedStatement u = c.prepareStatement("MERGE INTO balances KEY (account) VALUES (?, "
            + "COALESCE((SELECT cents FROM balances WHERE account = ?), 0) + ?)")) {
          u.setString(1, e.streamId());
          u.setString(2, e.streamId());
          u.setLong(3, d.amountCents());
          u.executeUpdate();
        }
      }

      @Override
      protected void reset(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
          s.execute("DELETE FROM balances");
        }
      }
    };
    long start = System.nanoTime();
    try (ProjectionRunner runner = new ProjectionRunner(store)) {
      runner.start(projection);
      while (runner.status("balances").position() < head) {
        Thread.sleep(1);
      }
    }
    return head / ((System.nanoTime() - start) / 1e9);
  }

  private static double readAll(EventStore store, long head) {
    long start = System.nanoTime();
    long after = 0;
    while (after < head) {
      List<RecordedEvent> page = store.readAll(after, 512);
      after = page.get(page.size() - 1).globalPosition();
    }
    return head / ((System.nanoTime() - start) / 1e9);
  }

  @FunctionalInterface
  interface Work {
    Object run() throws Exception;
  }

  private static double millis(Work work) throws Exception {
    long start = System.nanoTime();
    work.run();
    return (System.nanoTime() - start) / 1e6;
  }

  private double[] repeat(EmbeddedSuite.Sample sample) throws Exception {
    sample.take();
    double[] out = new double[repetitions];
    for (int k = 0; k < out.length; k++) {
      out[k] = sample.take();
    }
    return out;
  }
}
