package io.factum.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.factum.api.AppendRequest;
import io.factum.api.AppendResult;
import io.factum.api.CheckpointStore;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventHandler;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadArguments;
import io.factum.api.RecordedEvent;
import io.factum.api.Snapshot;
import io.factum.api.SnapshotStore;
import io.factum.api.StorageException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamIds;
import io.factum.api.Subscription;
import io.factum.core.AnsweringThreads;
import io.factum.core.Uninterruptibly;
import io.factum.core.AppendAnswers;
import io.factum.core.WriterGate;
import io.factum.core.subscription.AllPage;
import io.factum.core.subscription.SubscriptionEngine;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The Factum contract on PostgreSQL, in the guide's tables ({@code events}, {@code snapshots},
 * {@code subscription_checkpoints}) plus {@code streams} and {@code factum_head}.
 *
 * <pre>{@code
 * EventStore store = PostgresEventStore.connect("jdbc:postgresql://localhost/app?user=app&password=secret");
 * EventStore store = PostgresEventStore.create(dataSource);          // an application's own pool
 * }</pre>
 *
 * <p><b>Global order.</b> Positions are taken from the row of {@code factum_head} inside the
 * appending transaction, whose lock orders the commits: positions are dense (a rollback returns them)
 * and become visible strictly in order, across any number of JVMs — a subscriber never skips an
 * event (see {@code docs/postgres.md}). Appends from one JVM share a transaction (group commit), each
 * keeping its own outcome. Live subscriptions are woken by {@code LISTEN/NOTIFY}, with polling as the
 * fallback. An append is acknowledged once committed. Thread-safe.
 */
public final class PostgresEventStore implements EventStore {

  private static final System.Logger LOG = System.getLogger(PostgresEventStore.class.getName());
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final DataSource dataSource;
  private final HikariDataSource ownedPool;
  private final PostgresOptions options;
  private final Sql sql;
  private final SubscriptionEngine subscriptions;
  private final PostgresWriter writer;
  private final Thread writerThread;
  private final Thread listenerThread;
  private final WriterGate gate = new WriterGate();
  private final CheckpointStore checkpoints = new Checkpoints();
  private final SnapshotStore snapshots = new Snapshots();

  private PostgresEventStore(DataSource dataSource, HikariDataSource ownedPool, PostgresOptions options) {
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.options = options;
    this.sql = new Sql(options.schema());
    Schema.prepare(dataSource, options);
    String name = "postgres-" + INSTANCES.incrementAndGet();
    this.subscriptions = new SubscriptionEngine(name, options.subscriptions());
    this.writer = new PostgresWriter(dataSource, sql, this::committed);
    this.writerThread = new Thread(AnsweringThreads.marking(this, writer), "factum-" + name + "-writer");
    writerThread.setDaemon(true);
    writerThread.start();
    this.listenerThread = new Thread(this::listen, "factum-" + name + "-listener");
    listenerThread.setDaemon(true);
    listenerThread.start();
  }

  /** A store on an application's own {@link DataSource} (which it keeps owning), with the default options. */
  public static PostgresEventStore create(DataSource dataSource) {
    return create(dataSource, PostgresOptions.DEFAULT);
  }

  /**
   * A store on an application's own {@link DataSource}. Migrates the schema first (unless switched
   * off). One connection is held for {@code LISTEN}. Pass a <em>pooled</em> data source (HikariCP, or
   * your container's pool): every group of appends borrows a connection, and a data source that opens
   * a new one each time makes appends about ten times slower (measured: 45 instead of 450 single-event
   * appends a second from one thread).
   *
   * @throws StorageException if the database is unreachable or its Factum schema is newer than this build
   */
  public static PostgresEventStore create(DataSource dataSource, PostgresOptions options) {
    return new PostgresEventStore(dataSource, null, options);
  }

  /** A store with its own connection pool (HikariCP) to {@code jdbcUrl}, user and password in the URL. */
  public static PostgresEventStore connect(String jdbcUrl) {
    return connect(jdbcUrl, null, null, PostgresOptions.DEFAULT);
  }

  /** A store with its own connection pool (HikariCP); the pool is closed with the store. */
  public static PostgresEventStore connect(String jdbcUrl, String user, String password, PostgresOptions options) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    if (user != null) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(options.maxPoolSize());
    config.setMinimumIdle(Math.min(2, options.maxPoolSize()));
    config.setPoolName("factum");
    config.setInitializationFailTimeout(-1); // start even if the database is down; calls fail clearly until it is up
    config.setConnectionTimeout(5_000);
    // What the ordering and durability guarantees rest on, whatever the database's or role's defaults:
    // commits flushed before they are visible, and the head lock waited for, not a serialization error.
    config.setConnectionInitSql("SET synchronous_commit TO on");
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    // A connection whose peer vanished (a frozen VM, a dropped NAT entry) fails instead of waiting forever.
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("socketTimeout", "120");
    HikariDataSource pool = new HikariDataSource(config);
    try {
      return new PostgresEventStore(pool, pool, options);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- appends

  @Override
  public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
    return append(streamId, expected, events, null);
  }

  @Override
  public CompletableFuture<AppendResult> appendAsync(String streamId, ExpectedVersion expected, List<EventData> events) {
    return AppendAnswers.started(() -> submit(streamId, expected, events, null));
  }

  /** Test hook: {@code beforeCommit} runs inside the append's transaction just before it commits. */
  AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events, Runnable beforeCommit) {
    AnsweringThreads.refuseBlockingAppend(this);
    return AppendAnswers.await(submit(streamId, expected, events, beforeCommit));
  }

  private CompletableFuture<AppendResult> submit(String streamId, ExpectedVersion expected, List<EventData> events, Runnable beforeCommit) {
    AppendRequest request = AppendRequest.validate(streamId, expected, events, options.limits());
    ensureOpen();
    PostgresWriter.Pending pending = new PostgresWriter.Pending(request, beforeCommit);
    if (!gate.pass(() -> writer.submit(pending))) {
      ensureOpen(); // throws: the store was closed meanwhile
    }
    return pending.result;
  }

  private void committed(long head, Set<String> streams) {
    if (streams.size() <= 32) {
      streams.forEach(subscriptions::onAppended);
    } else {
      subscriptions.onAppended(null);
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion, int maxCount) {
    ReadArguments.checkStreamRead(streamId, fromVersion, maxCount);
    return query(sql.readStream, "read stream " + streamId, s -> {
      s.setString(1, streamId);
      s.setLong(2, fromVersion);
      s.setInt(3, maxCount);
    });
  }

  @Override
  public List<RecordedEvent> readStreamBackward(String streamId, long fromVersion, int maxCount) {
    ReadArguments.checkStreamRead(streamId, fromVersion, maxCount);
    return query(sql.readStreamBackward, "read stream " + streamId, s -> {
      s.setString(1, streamId);
      s.setLong(2, fromVersion);
      s.setInt(3, maxCount);
    });
  }

  @Override
  public List<RecordedEvent> readAll(long afterPosition, int maxCount, EventFilter filter) {
    ReadArguments.checkAllRead(afterPosition, maxCount, filter);
    return readAllPage(afterPosition, maxCount, filter).events();
  }

  /**
   * Reads up to the head as it was just before: everything at or below a committed head is visible
   * (the head lock orders commits), so a short page proves there is nothing else up to that head.
   */
  private AllPage readAllPage(long afterPosition, int maxCount, EventFilter filter) {
    long head = headPosition();
    if (afterPosition >= head) {
      return new AllPage(List.of(), Math.max(afterPosition, head), true);
    }
    List<RecordedEvent> events = query(sql.readAll, "read $all", s -> {
      s.setLong(1, afterPosition);
      s.setLong(2, head);
      bindFilter(s, 3, filter.categories());
      bindFilter(s, 5, filter.eventTypes());
      bindFilter(s, 7, filter.streamPrefixes());
      s.setInt(9, maxCount);
    });
    boolean full = events.size() == maxCount;
    long scanned = full ? events.get(events.size() - 1).globalPosition() : head;
    return new AllPage(events, scanned, !full || scanned == head);
  }

  private static void bindFilter(PreparedStatement s, int index, Set<String> values) throws SQLException {
    s.setBoolean(index, values.isEmpty());
    s.setArray(index + 1, s.getConnection().createArrayOf("text", values.toArray()));
  }

  @Override
  public OptionalLong streamVersion(String streamId) {
    ReadArguments.checkStreamId(streamId);
    return optionalLong(sql.streamVersion, "read the version of " + streamId, s -> s.setString(1, streamId));
  }

  @Override
  public long headPosition() {
    return optionalLong(sql.head, "read the head position", s -> { }).orElse(0);
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement s) throws SQLException;
  }

  private List<RecordedEvent> query(String statement, String action, Binder binder) {
    ensureOpen();
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
      binder.bind(s);
      try (ResultSet r = s.executeQuery()) {
        List<RecordedEvent> out = new ArrayList<>();
        while (r.next()) {
          out.add(event(r));
        }
        return out;
      }
    } catch (SQLException e) {
      throw Errors.unreachable(action, e);
    }
  }

  private static RecordedEvent event(ResultSet r) throws SQLException {
    String contentType = r.getString(8);
    byte[] data = EventData.isJson(contentType) ? PostgresWriter.utf8(r.getString(6)) : r.getBytes(9);
    Timestamp created = r.getTimestamp(11);
    return new RecordedEvent(r.getObject(1, UUID.class), r.getString(2), r.getString(3), r.getLong(4), r.getInt(5), data,
        PostgresWriter.utf8(r.getString(7) == null ? "{}" : r.getString(7)), contentType, r.getLong(10), created.toInstant());
  }

  // ---------------------------------------------------------------- subscriptions

  @Override
  public Subscription subscribeToAll(long afterPosition, EventFilter filter, EventHandler handler) {
    ensureOpen();
    return subscriptions.subscribeToAll(this::readAllPage, afterPosition, filter, handler);
  }

  @Override
  public Subscription subscribeToStream(String streamId, long fromVersion, EventHandler handler) {
    ensureOpen();
    return subscriptions.subscribeToStream(this::readStream, streamId, fromVersion, handler);
  }

  /**
   * Wakes subscriptions when another JVM (or this one) commits: {@code LISTEN} on a dedicated
   * connection, reconnecting with backoff when it breaks. Lost notifications are covered by the
   * subscriptions' polling.
   */
  private void listen() {
    long backoff = 100;
    while (!gate.isClosed()) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        try (var s = c.createStatement()) {
          s.execute("LISTEN \"" + sql.channel + "\"");
        }
        try {
          PGConnection pg = c.unwrap(PGConnection.class);
          backoff = 100;
          while (!gate.isClosed()) {
            PGNotification[] notes = pg.getNotifications(500);
            if (notes != null && notes.length > 0) {
              subscriptions.onAppended(null);
            }
          }
        } finally {
          unlisten(c);
        }
      } catch (SQLException | RuntimeException e) {
        if (gate.isClosed()) {
          return;
        }
        LOG.log(Level.DEBUG, "Notification listener lost its connection; reconnecting in " + backoff + " ms", e);
        subscriptions.onAppended(null); // whatever was missed, subscriptions read again
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  // ---------------------------------------------------------------- checkpoints and snapshots

  @Override
  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  @Override
  public SnapshotStore snapshots() {
    return snapshots;
  }

  @Override
  public StoreLimits limits() {
    return options.limits();
  }

  private final class Checkpoints implements CheckpointStore {
    @Override
    public OptionalLong load(String name) {
      ReadArguments.checkCheckpointName(name);
      return optionalLong(sql.loadCheckpoint, "load checkpoint " + name, s -> s.setString(1, name));
    }

    @Override
    public void save(String name, long position) {
      ReadArguments.checkCheckpoint(name, position);
      update(sql.saveCheckpoint, "save checkpoint " + name, s -> {
        s.setString(1, name);
        s.setLong(2, position);
      });
    }

    @Override
    public void delete(String name) {
      ReadArguments.checkCheckpointName(name);
      update(sql.deleteCheckpoint, "delete checkpoint " + name, s -> s.setString(1, name));
    }

    @Override
    public Map<String, Long> all() {
      ensureOpen();
      Map<String, Long> out = new TreeMap<>();
      try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.allCheckpoints);
          ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.put(r.getString(1), r.getLong(2));
        }
      } catch (SQLException e) {
        throw Errors.unreachable("list checkpoints", e);
      }
      return Collections.unmodifiableMap(out);
    }
  }

  private final class Snapshots implements SnapshotStore {
    @Override
    public Optional<Snapshot> load(String streamId) {
      StreamIds.requireValid(streamId);
      ensureOpen();
      try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.loadSnapshot)) {
        s.setString(1, streamId);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            return Optional.empty();
          }
          return Optional.of(new Snapshot(streamId, r.getString(1), r.getInt(2), r.getLong(3), PostgresWriter.utf8(r.getString(4)),
              r.getTimestamp(5).toInstant()));
        }
      } catch (SQLException e) {
        throw Errors.unreachable("load the snapshot of " + streamId, e);
      }
    }

    @Override
    public void save(Snapshot snapshot) {
      if (snapshot == null) {
        throw new io.factum.api.InvalidEventException("Snapshot is missing");
      }
      update(sql.saveSnapshot, "save the snapshot of " + snapshot.streamId(), s -> {
        s.setString(1, snapshot.streamId());
        s.setString(2, snapshot.snapshotType());
        s.setString(3, snapshot.dataAsString());
        s.setLong(4, snapshot.version());
        s.setTimestamp(5, Timestamp.from(snapshot.createdAt()));
        s.setInt(6, snapshot.schemaVersion());
      });
    }

    @Override
    public void delete(String streamId) {
      StreamIds.requireValid(streamId);
      update(sql.deleteSnapshot, "delete the snapshot of " + streamId, s -> s.setString(1, streamId));
    }
  }

  /**
   * A pool keeps a connection's {@code LISTEN} when it is returned: it would go on collecting
   * notifications nobody reads (and hold back the server's notification queue).
   */
  private static void unlisten(Connection c) {
    try (var s = c.createStatement()) {
      s.execute("UNLISTEN *");
    } catch (SQLException | RuntimeException e) {
      // a broken connection: the pool discards it, and the server forgets its LISTEN
    }
  }

  /** The first column of the first row, a number, or empty when there is no row. */
  private OptionalLong optionalLong(String statement, String action, Binder binder) {
    ensureOpen();
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
      binder.bind(s);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? OptionalLong.of(r.getLong(1)) : OptionalLong.empty();
      }
    } catch (SQLException e) {
      throw Errors.unreachable(action, e);
    }
  }

  /**
   * Runs one change and commits it — also on a pool that hands out connections with auto-commit off,
   * which would otherwise roll the change back when the connection is returned.
   */
  private void update(String statement, String action, Binder binder) {
    ensureOpen();
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
      binder.bind(s);
      s.executeUpdate();
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
        throw new io.factum.api.InvalidEventException("PostgreSQL refused a value: could not " + action + ": " + e.getMessage()
            + " (SQL state " + e.getSQLState() + "); nothing was stored.");
      }
      throw Errors.unreachable(action, e);
    }
  }

  // ---------------------------------------------------------------- close

  /** Finishes appends already submitted, stops subscriptions and the listener, closes an owned pool. Idempotent. */
  @Override
  public void close() {
    gate.close(this, "factum-close-" + options.schema(), this::shutDown);
  }

  /** Everything after the gate closed: answers what was queued, stops the threads, closes an owned pool. */
  private void shutDown() {
    // An interrupt must not cut this short: the pool may only close once the writer has answered
    // every append handed to it. The flag is kept for later.
    boolean interrupted = Thread.interrupted();
    writer.stop();
    interrupted |= Uninterruptibly.join(writerThread);
    try {
      listenerThread.join(2_000);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    subscriptions.close();
    if (ownedPool != null) {
      ownedPool.close();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void ensureOpen() {
    if (gate.isClosed()) {
      throw new StoreClosedException("This PostgreSQL event store is closed; create a new one");
    }
  }

  /** The schema this store uses. */
  public String schema() {
    return options.schema();
  }
}
