package io.factum.examples.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.core.command.CommandContext;
import io.factum.core.projection.JdbcProjection;
import io.factum.core.projection.ProjectionRunner;
import io.factum.embedded.EmbeddedEventStore;
import io.factum.examples.order.OrderCommand.AddLine;
import io.factum.examples.order.OrderCommand.Cancel;
import io.factum.examples.order.OrderCommand.Pay;
import io.factum.examples.order.OrderCommand.PlaceOrder;
import io.factum.examples.order.OrderCommand.Ship;
import io.factum.examples.order.OrderEvent.Line;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order-summaries read model in a real PostgreSQL (started here, fsync and synchronous commit
 * on): it matches the aggregates, and a projection killed with {@code kill -9} in the middle of a
 * batch, again and again, still counts every event exactly once.
 */
class OrderSummaryPostgresTest {

  private static EmbeddedPostgres postgres;

  @TempDir
  Path dir;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @BeforeEach
  void emptyReadModel() throws SQLException {
    try (Connection c = db().getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS order_summaries");
      s.execute("DROP TABLE IF EXISTS factum_projection_positions");
    }
  }

  private static DataSource db() {
    return postgres.getPostgresDatabase();
  }

  /** Writes {@code orders} orders with 3 to 20 events each; returns each order's stream version. */
  private static Map<String, Long> writeOrders(EventStore store, int orders, long seed) {
    Random random = new Random(seed);
    OrderService service = new OrderService(store);
    Map<String, Long> versions = new HashMap<>();
    for (int k = 0; k < orders; k++) {
      String id = "o" + k;
      service.placeOrder(new PlaceOrder(id, "c" + (k % 17), List.of(new Line("SKU-" + k, 1 + k % 3, 250)), "EUR"), CommandContext.none());
      int lines = 1 + random.nextInt(16);
      long total = (1 + k % 3) * 250L;
      for (int l = 0; l < lines; l++) {
        service.handle(id, new AddLine("X" + l, 1, 100), CommandContext.none());
        total += 100;
      }
      switch (k % 3) {
        case 0 -> service.handle(id, new Cancel("test"), CommandContext.none());
        case 1 -> {
          service.handle(id, new Pay(total, "p" + k), CommandContext.none());
          service.handle(id, new Ship("DHL", "t" + k), CommandContext.none());
        }
        default -> { }
      }
      versions.put(id, store.streamVersion(OrderService.streamOf(id)).orElseThrow());
    }
    return versions;
  }

  @Test
  @Timeout(120)
  void theReadModelMatchesTheAggregates() throws Exception {
    try (EventStore store = EmbeddedEventStore.open(dir.resolve("store")); ProjectionRunner runner = new ProjectionRunner(store)) {
      Map<String, Long> versions = writeOrders(store, 40, 1);
      runner.start(new OrderSummaryProjection(db()));
      await().atMost(Duration.ofMinutes(1)).until(() -> runner.status(OrderSummaryProjection.NAME).position() == store.headPosition());

      OrderService service = new OrderService(store);
      Map<String, Object[]> rows = rows();
      assertThat(rows).hasSize(40);
      for (String id : versions.keySet()) {
        Order order = service.load(id).state();
        Object[] row = rows.get(id);
        assertThat(row[0]).as(id).isEqualTo(order.status.name().toLowerCase());
        assertThat(row[1]).as(id).isEqualTo(order.totalCents);
        assertThat(row[2]).as(id).isEqualTo(order.lines.size());
        assertThat(row[3]).as(id).isEqualTo(versions.get(id).intValue());
      }
    }
  }

  /** An Error thrown by a JdbcProjection in the middle of a batch rolls the whole batch back. */
  @Test
  @Timeout(120)
  void aBatchThatFailsWithAnErrorCommitsNothing() throws Exception {
    try (Connection c = db().getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS seen_events");
      s.execute("CREATE TABLE seen_events (event_id UUID PRIMARY KEY)");
    }
    JdbcProjection failsOnItsThirdEvent = new JdbcProjection("error-midway", EventFilter.ALL, db()) {
      private int applied;

      @Override
      protected void apply(Connection c, RecordedEvent event) throws SQLException {
        if (++applied == 3) {
          throw new AssertionError("a defect in the projection");
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO seen_events (event_id) VALUES (?)")) {
          insert.setObject(1, event.eventId());
          insert.executeUpdate();
        }
      }

      @Override
      protected void reset(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
          s.execute("DELETE FROM seen_events");
        }
      }
    };
    try (EventStore store = EmbeddedEventStore.open(dir.resolve("store"))) {
      writeOrders(store, 2, 4);
      List<RecordedEvent> batch = store.readAll(0, 100, EventFilter.ALL);
      assertThatThrownBy(() -> failsOnItsThirdEvent.apply(batch, store.headPosition())).isInstanceOf(AssertionError.class);
    }
    try (Connection c = db().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM seen_events")) {
      r.next();
      assertThat(r.getLong(1)).as("events of the failed batch in the read model").isZero();
    }
    assertThat(failsOnItsThirdEvent.position()).isZero();
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aProjectionKilledMidBatchAppliesEveryEventExactlyOnce() throws Exception {
    Path storeDir = dir.resolve("store");
    Map<String, Long> versions;
    try (EventStore store = EmbeddedEventStore.open(storeDir)) {
      versions = writeOrders(store, 250, 2);
    }
    String jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");
    Random random = new Random(3);
    int killsWithUncommittedWork = 0;
    for (int round = 0; round < 20 && killsWithUncommittedWork < 4; round++) {
      Process child = startChild(storeDir, jdbcUrl, 200);
      List<String> lines = new ArrayList<>();
      Thread reader = readLines(child, lines);
      // Let it write some events: within its first batch (20 progress lines) or the one after. Polled
      // every 2 ms: at the default 100 ms the child ran on by several batches before the kill, and
      // could finish the whole store before the rounds had their kills.
      int applied = 1 + random.nextInt(40);
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(2))
          .until(() -> count(lines, "APPLIED") >= applied || !child.isAlive());
      child.destroyForcibly(); // SIGKILL
      child.waitFor(1, TimeUnit.MINUTES);
      reader.join();
      synchronized (lines) {
        assertThat(lines).noneMatch(l -> l.startsWith("FAULTED") || l.startsWith("DONE"));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("APPLIED")) {
          killsWithUncommittedWork++; // events written inside a transaction that never committed
        }
      }
      assertExactlyOnceUpToTheCommittedPosition(storeDir);
    }
    assertThat(killsWithUncommittedWork).as("kills inside a batch that had already written events").isGreaterThanOrEqualTo(4);
    assertThat(committedPosition()).as("batches committed between kills").isPositive();

    Process finisher = startChild(storeDir, jdbcUrl, 0);
    List<String> lines = new ArrayList<>();
    Thread reader = readLines(finisher, lines);
    assertThat(finisher.waitFor(2, TimeUnit.MINUTES)).isTrue();
    reader.join();
    assertThat(lines).anyMatch(l -> l.startsWith("DONE"));
    Map<String, Object[]> rows = rows();
    assertThat(rows).hasSize(versions.size());
    versions.forEach((id, version) -> assertThat(rows.get(id)[3]).as("events counted for %s", id).isEqualTo(version.intValue()));
  }

  /** Whatever position is committed, the read model holds exactly the events up to it, each once. */
  private void assertExactlyOnceUpToTheCommittedPosition(Path storeDir) throws SQLException {
    long committed = committedPosition();
    Map<String, Integer> expected = new HashMap<>();
    try (EventStore store = EmbeddedEventStore.open(storeDir)) {
      for (RecordedEvent e : store.readAll(0, (int) Math.max(1, committed))) {
        expected.merge(e.streamId().substring("Order-".length()), 1, Integer::sum);
      }
    }
    Map<String, Object[]> rows = rows();
    Map<String, Integer> counted = new HashMap<>();
    rows.forEach((id, row) -> counted.put(id, (Integer) row[3]));
    assertThat(counted).as("event_count per order at committed position %d", committed).isEqualTo(committed == 0 ? Map.of() : expected);
  }

  private long committedPosition() throws SQLException {
    try (Connection c = db().getConnection(); Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("SELECT position FROM factum_projection_positions WHERE name = 'order-summaries'")) {
        return r.next() ? r.getLong(1) : 0;
      } catch (SQLException noTableYet) {
        return 0;
      }
    }
  }

  /** order_id → [status, total_cents, line_count, event_count]. */
  private Map<String, Object[]> rows() throws SQLException {
    Map<String, Object[]> rows = new HashMap<>();
    try (Connection c = db().getConnection(); Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("SELECT order_id, status, total_cents, line_count, event_count FROM order_summaries")) {
        while (r.next()) {
          rows.put(r.getString(1), new Object[] {r.getString(2), r.getLong(3), r.getInt(4), r.getInt(5)});
        }
      } catch (SQLException noTableYet) {
        return rows;
      }
    }
    return rows;
  }

  private static Process startChild(Path storeDir, String jdbcUrl, long delayMicros) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        ProjectionChild.class.getName(), storeDir.toString(), jdbcUrl, Long.toString(delayMicros))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static Thread readLines(Process child, List<String> lines) {
    Thread t = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
          }
        }
      } catch (IOException e) {
        // the pipe breaks when the child is killed
      }
    });
    t.start();
    return t;
  }

  private static long count(List<String> lines, String prefix) {
    synchronized (lines) {
      return lines.stream().filter(l -> l.startsWith(prefix)).count();
    }
  }
}
