package io.factum.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.Snapshot;
import io.factum.api.StorageException;
import io.factum.api.Subscription;
import io.factum.tck.Fixtures;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What an operator meets: the guide's SQL, a database that goes away and comes back, schema versions. */
class PostgresOperationsTest {

  @TempDir
  Path dir;

  private static PostgresEventStore store(String schema) {
    return PostgresEventStore.connect(PostgresTestDatabase.jdbcUrl(), "postgres", null, PostgresOptions.DEFAULT.withSchema(schema));
  }

  @Test
  void theGuidesOwnSqlReadsWhatFactumWrote() throws Exception {
    try (PostgresEventStore store = store("public")) {
      long before = store.headPosition();
      store.append("Order-guide-1", ExpectedVersion.ANY, EventData.json("OrderPlaced", "{\"customer_id\":\"c-1\",\"total_cents\":5000}")
          .withMetadata("{\"correlation_id\":\"req-xyz\"}"));
      store.append("Customer-guide-1", ExpectedVersion.ANY, EventData.json("CustomerJoined", "{\"name\":\"Ada\"}"));
      List<RecordedEvent> factum = store.readAll(before, 100);

      // The guide's read_all, verbatim apart from the JDBC placeholders.
      List<String[]> guide = new ArrayList<>();
      try (Connection c = PostgresTestDatabase.get().getPostgresDatabase().getConnection();
          PreparedStatement s = c.prepareStatement("SELECT * FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?")) {
        s.setLong(1, before);
        s.setInt(2, 1000);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            guide.add(new String[] {r.getString("id"), r.getString("stream_id"), r.getString("stream_type"), r.getString("event_type"),
                r.getString("event_data"), r.getString("metadata"), r.getString("version"), r.getString("global_position"),
                r.getString("created_at")});
          }
        }
      }
      assertThat(guide).hasSameSizeAs(factum);
      for (int k = 0; k < factum.size(); k++) {
        RecordedEvent e = factum.get(k);
        String[] row = guide.get(k);
        assertThat(UUID.fromString(row[0])).isEqualTo(e.eventId());
        assertThat(row[1]).isEqualTo(e.streamId());
        assertThat(row[2]).isEqualTo(e.category());
        assertThat(row[3]).isEqualTo(e.eventType());
        Fixtures.assertSameJson(row[4].getBytes(StandardCharsets.UTF_8), e.data());
        Fixtures.assertSameJson(row[5].getBytes(StandardCharsets.UTF_8), e.metadata());
        assertThat(Long.parseLong(row[6])).isEqualTo(e.version());
        assertThat(Long.parseLong(row[7])).isEqualTo(e.globalPosition());
        assertThat(row[8]).isNotNull();
      }
    }
  }

  /**
   * {@code factum_append} depends on two settings of its own: no sequential scans (its generic plans
   * are made on an empty table) and generic plans only (otherwise PostgreSQL re-plans its deciding
   * statement on every call, ~0.4 ms of a group). A later migration that re-creates the function
   * must keep both; {@code docs/performance.md} has what they are worth.
   */
  @Test
  void theAppendFunctionKeepsItsPlanSettings() throws Exception {
    try (PostgresEventStore store = store("plan_settings");
        Connection c = PostgresTestDatabase.get().getPostgresDatabase().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT array_to_string(p.proconfig, ',') FROM pg_proc p "
            + "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'plan_settings' AND p.proname = 'factum_append'")) {
      store.append("Order-1", ExpectedVersion.ANY, EventData.json("OrderPlaced", "{}"));
      try (ResultSet r = s.executeQuery()) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1).split(",")).contains("enable_seqscan=off", "plan_cache_mode=force_generic_plan");
        assertThat(r.next()).as("one factum_append in the schema").isFalse();
      }
    }
  }

  /**
   * An application's own pool, as Spring/JPA set-ups often configure it: connections with auto-commit
   * off. Checkpoints and snapshots are committed all the same, and the connection that listened for
   * notifications goes back to the pool no longer listening.
   */
  @Test
  void onAnApplicationPoolWithAutoCommitOffEveryChangeIsCommittedAndNothingKeepsListening() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(PostgresTestDatabase.jdbcUrl());
    config.setUsername("postgres");
    config.setAutoCommit(false);
    config.setMaximumPoolSize(4);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      try (PostgresEventStore store = PostgresEventStore.create(pool, PostgresOptions.DEFAULT.withSchema("app_pool"))) {
        store.append("Order-1", ExpectedVersion.ANY, EventData.json("OrderPlaced", "{}"));
        store.checkpoints().save("mailer", 1);
        store.snapshots().save(new Snapshot("Order-1", "Order", 1, 1, "{\"total\":1}".getBytes(StandardCharsets.UTF_8), Instant.now()));
        await().atMost(Duration.ofMinutes(1)).until(() -> pool.getHikariPoolMXBean().getActiveConnections() > 0); // the listener's
      }
      try (PostgresEventStore reopened = PostgresEventStore.create(pool, PostgresOptions.DEFAULT.withSchema("app_pool"))) {
        assertThat(reopened.checkpoints().load("mailer")).hasValue(1);
        assertThat(reopened.snapshots().load("Order-1")).isPresent();
      }
      assertThat(listening(pool)).as("pooled connections still listening after close").isZero();
    }
  }

  /** How many of the pool's connections listen for notifications (takes them all at once). */
  private static int listening(HikariDataSource pool) throws SQLException {
    List<Connection> all = new ArrayList<>();
    int n = 0;
    try {
      for (int k = 0; k < pool.getMaximumPoolSize(); k++) {
        Connection c = pool.getConnection();
        all.add(c);
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM pg_listening_channels()")) {
          r.next();
          n += r.getInt(1) > 0 ? 1 : 0;
        }
        c.rollback();
      }
    } finally {
      for (Connection c : all) {
        c.close();
      }
    }
    return n;
  }

  /**
   * A database whose defaults would break the guarantees: refused on an application's pool with what
   * to change; Factum's own pool sets what it needs on every connection and works.
   */
  @Test
  void unsafeDatabaseDefaultsAreRefusedOnAnApplicationPoolAndOverriddenOnFactumsOwn() throws Exception {
    EmbeddedPostgres pg = PostgresTestDatabase.get();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS unsafe_sync");
      s.execute("CREATE DATABASE unsafe_sync");
      s.execute("ALTER DATABASE unsafe_sync SET synchronous_commit = off");
      s.execute("DROP DATABASE IF EXISTS unsafe_isolation");
      s.execute("CREATE DATABASE unsafe_isolation");
      s.execute("ALTER DATABASE unsafe_isolation SET default_transaction_isolation = 'serializable'");
    }
    assertThatThrownBy(() -> PostgresEventStore.create(pg.getDatabase("postgres", "unsafe_sync")))
        .isInstanceOf(StorageException.class).hasMessageContaining("synchronous_commit = off");
    assertThatThrownBy(() -> PostgresEventStore.create(pg.getDatabase("postgres", "unsafe_isolation")))
        .isInstanceOf(StorageException.class).hasMessageContaining("serializable");
    for (String db : List.of("unsafe_sync", "unsafe_isolation")) {
      try (PostgresEventStore own = PostgresEventStore.connect(pg.getJdbcUrl("postgres", db), "postgres", null, PostgresOptions.DEFAULT)) {
        assertThat(own.append("Order-1", ExpectedVersion.ANY, EventData.json("OrderPlaced", "{}")).lastPosition()).isEqualTo(1);
      }
    }
  }

  @Test
  void aSchemaFromANewerFactumIsRefusedWithAClearMessage() throws Exception {
    try (PostgresEventStore store = store("newer_schema")) {
      store.append("A-1", ExpectedVersion.ANY, EventData.json("E", "{}"));
    }
    try (Connection c = PostgresTestDatabase.get().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO newer_schema.factum_schema_history (installed_rank, version, description, type, script, checksum, "
          + "installed_by, execution_time, success) VALUES (99, '99', 'from the future', 'SQL', 'V99__future.sql', 0, 'test', 0, true)");
    }
    assertThatThrownBy(() -> store("newer_schema")).isInstanceOf(StorageException.class)
        .hasMessageContaining("schema version 99").hasMessageContaining("Upgrade Factum");
  }

  @Test
  void anUnreachableDatabaseFailsClearly() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    assertThatThrownBy(() -> PostgresEventStore.connect(url, "postgres", null, PostgresOptions.DEFAULT))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("unreachable");
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void theStoreRecoversByItselfWhenTheDatabaseComesBack() throws Exception {
    Path data = dir.resolve("pgdata");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    EmbeddedPostgres first = start(data, port);
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (PostgresEventStore store = PostgresEventStore.connect(url, "postgres", null,
        PostgresOptions.DEFAULT.withSubscriptions(PostgresOptions.DEFAULT.subscriptions().withPollInterval(Duration.ofMillis(200))))) {
      List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
      Subscription sub = store.subscribeToAll(0, EventFilter.ALL, seen::add);
      store.append("Order-1", ExpectedVersion.NO_STREAM, EventData.json("Placed", "{}"));
      await().atMost(Duration.ofMinutes(1)).until(() -> seen.size() == 1);

      first.close(); // the database goes away
      assertThatThrownBy(() -> store.append("Order-1", ExpectedVersion.exactly(1), EventData.json("Paid", "{}")))
          .isInstanceOf(StorageException.class);

      EmbeddedPostgres second = start(data, port); // and comes back, with its data
      try {
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> {
          store.append("Order-1", ExpectedVersion.exactly(1), EventData.json("Paid", "{}").withId(UUID.nameUUIDFromBytes(new byte[] {1})));
          return true;
        });
        assertThat(store.readStream("Order-1", 1, 10)).extracting(RecordedEvent::eventType).containsExactly("Placed", "Paid");
        await().atMost(Duration.ofMinutes(1)).until(() -> seen.size() == 2);
        assertThat(sub.state()).isNotEqualTo(Subscription.State.FAILED);
        sub.close();
      } finally {
        second.close();
      }
    }
  }

  private static EmbeddedPostgres start(Path data, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
        .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
  }
}
