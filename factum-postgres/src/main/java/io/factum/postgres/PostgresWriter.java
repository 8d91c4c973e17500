package io.factum.postgres;

import io.factum.api.AppendRequest;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.FactumException;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.InvalidEventException;
import io.factum.api.StorageException;
import io.factum.api.StreamIds;
import io.factum.api.WrongExpectedVersionException;
import io.factum.core.UuidV7;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * This JVM's appender: takes every append waiting in its queue and writes them in <em>one</em>
 * database transaction (group commit), each append keeping its own outcome — a stale expected version
 * or an idempotent retry answers that caller alone.
 *
 * <p>The transaction first locks the one row of {@code factum_head}. That lock is what makes the
 * global order safe: positions are taken from the row inside the transaction, so a rollback returns
 * them (positions stay dense), and the next appender — in this JVM or any other — can only take
 * positions after this transaction has committed, so events become visible in position order. A
 * reader that has seen position p can never later see a new event at or below p.
 */
final class PostgresWriter implements Runnable {

  /** One caller's append, prepared on the caller's thread. */
  static final class Pending {
    final AppendRequest request;
    final UUID[] ids;
    final boolean[] callerIds;
    final String[] data;
    final String[] binary;
    final String[] metadata;
    final CompletableFuture<AppendResult> result = new CompletableFuture<>();
    /** The characters of its events' data and metadata, for the group's size limit. */
    final long chars;
    /** Test hook: runs inside the transaction just before it commits (sleep to hold it open, throw to roll back). */
    final Runnable beforeCommit;

    Pending(AppendRequest request, Runnable beforeCommit) {
      this.request = request;
      this.beforeCommit = beforeCommit;
      List<EventData> events = request.events();
      int n = events.size();
      ids = new UUID[n];
      callerIds = new boolean[n];
      data = new String[n];
      binary = new String[n];
      metadata = new String[n];
      long size = 0;
      for (int k = 0; k < n; k++) {
        EventData e = events.get(k);
        callerIds[k] = e.eventId() != null;
        ids[k] = callerIds[k] ? e.eventId() : UuidV7.next();
        if (e.isJson()) {
          data[k] = e.dataAsString();
        } else {
          data[k] = "null";
          binary[k] = Base64.getEncoder().encodeToString(e.data());
        }
        metadata[k] = e.metadataAsString();
        size += (binary[k] != null ? binary[k] : data[k]).length() + metadata[k].length();
      }
      chars = size;
    }

    private Pending() {
      request = null;
      ids = null;
      callerIds = null;
      data = null;
      binary = null;
      chars = 0;
      metadata = null;
      beforeCommit = null;
    }
  }

  /** Receives every committed group: the new head and the streams written. */
  interface Listener {
    void committed(long head, Set<String> streams);
  }

  private static final Pending STOP = new Pending();
  private static final int MAX_GROUP_APPENDS = 1000;
  private static final int MAX_GROUP_EVENTS = 20_000;
  /**
   * A group's data and metadata, in characters: well below PostgreSQL's 1 GB limit on a message and
   * on an array, however many large appends arrive at once (a single append may be up to the store's
   * append limit).
   */
  private static final long MAX_GROUP_CHARS = 64L << 20;
  private static final long MAX_LINGER_NANOS = 200_000;

  private final DataSource dataSource;
  private final Sql sql;
  private final Listener listener;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private int lastGroupSize = 1;
  private long lastCommitNanos = 1_000_000;

  PostgresWriter(DataSource dataSource, Sql sql, Listener listener) {
    this.dataSource = dataSource;
    this.sql = sql;
    this.listener = listener;
  }

  void submit(Pending p) {
    queue.add(p);
  }

  void stop() {
    queue.add(STOP);
  }

  @Override
  public void run() {
    List<Pending> carry = new ArrayList<>();
    boolean stopping = false;
    while (!stopping || !carry.isEmpty()) {
      List<Pending> group = new ArrayList<>(carry);
      carry.clear();
      if (!stopping) {
        if (group.isEmpty()) {
          Pending first = take();
          if (first == STOP) {
            stopping = true;
            continue;
          }
          group.add(first);
        }
        queue.drainTo(group, MAX_GROUP_APPENDS);
        if (group.size() < lastGroupSize && !group.contains(STOP)) {
          // the callers released by the last commit come back within microseconds: give them a moment
          LockSupport.parkNanos(Math.min(MAX_LINGER_NANOS, lastCommitNanos / 4));
          queue.drainTo(group, MAX_GROUP_APPENDS);
        }
        if (group.remove(STOP)) {
          stopping = true;
        }
      }
      int events = 0;
      long chars = 0;
      int cut = group.size();
      for (int k = 0; k < group.size(); k++) {
        events += group.get(k).request.events().size();
        chars += group.get(k).chars;
        if ((events > MAX_GROUP_EVENTS || chars > MAX_GROUP_CHARS) && k > 0) {
          cut = k;
          break;
        }
      }
      carry.addAll(group.subList(cut, group.size()));
      List<Pending> now = new ArrayList<>(group.subList(0, cut));
      lastGroupSize = Math.max(1, now.size());
      try {
        commitGroup(now);
      } catch (Throwable t) {
        // An Error (out of memory building a huge group, say) must not end the writer: every later
        // caller would wait forever. Answered callers keep their answer (completing again is a no-op).
        fail(now, t);
      }
    }
  }

  private Pending take() {
    while (true) {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        // never interrupted on purpose; stop only on STOP
      }
    }
  }

  /**
   * Writes a group with one call of {@code factum_append} (see the migration): one round trip, its
   * own transaction — the head lock is held only inside the database, never across the network.
   */
  private void commitGroup(List<Pending> group) {
    long start = System.nanoTime();
    int appends = group.size();
    int events = 0;
    for (Pending p : group) {
      events += p.ids.length;
    }
    Object[] streams = new Object[appends];
    Object[] categories = new Object[appends];
    Object[] expected = new Object[appends];
    Object[] counts = new Object[appends];
    Object[] ids = new Object[events];
    Object[] caller = new Object[events];
    Object[] types = new Object[events];
    Object[] data = new Object[events];
    Object[] metadata = new Object[events];
    Object[] schemas = new Object[events];
    Object[] contents = new Object[events];
    Object[] binary = new Object[events];
    Object[] owner = new Object[events];
    boolean hooks = false;
    int e = 0;
    for (int i = 0; i < appends; i++) {
      Pending p = group.get(i);
      streams[i] = p.request.streamId();
      categories[i] = StreamIds.categoryOf(p.request.streamId());
      expected[i] = encode(p.request.expected());
      counts[i] = p.ids.length;
      hooks |= p.beforeCommit != null;
      List<EventData> list = p.request.events();
      for (int k = 0; k < p.ids.length; k++, e++) {
        EventData ev = list.get(k);
        ids[e] = p.ids[k];
        caller[e] = p.callerIds[k];
        types[e] = ev.eventType();
        data[e] = p.data[k];
        metadata[e] = p.metadata[k];
        schemas[e] = ev.schemaVersion();
        contents[e] = ev.contentType();
        binary[e] = p.binary[k];
        owner[e] = i + 1;
      }
    }
    List<Object> outcomes = new ArrayList<>(appends);
    long head = 0;
    Set<String> written = new LinkedHashSet<>();
    SQLException refused = null; // a value PostgreSQL refused: nothing written
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(!hooks); // the test hook needs the transaction open after the call
      try (PreparedStatement s = c.prepareStatement(sql.appendGroup)) {
        s.setArray(1, c.createArrayOf("varchar", streams));
        s.setArray(2, c.createArrayOf("varchar", categories));
        s.setArray(3, c.createArrayOf("bigint", expected));
        s.setArray(4, c.createArrayOf("int4", counts));
        s.setArray(5, c.createArrayOf("uuid", ids));
        s.setArray(6, c.createArrayOf("bool", caller));
        s.setArray(7, c.createArrayOf("varchar", types));
        s.setArray(8, c.createArrayOf("text", data));
        s.setArray(9, c.createArrayOf("text", metadata));
        s.setArray(10, c.createArrayOf("int4", schemas));
        s.setArray(11, c.createArrayOf("varchar", contents));
        s.setArray(12, c.createArrayOf("text", binary));
        s.setArray(13, c.createArrayOf("int4", owner));
        s.setString(14, sql.channel);
        try (ResultSet r = s.executeQuery()) {
          for (int i = 0; i < appends; i++) {
            if (!r.next()) {
              throw new SQLException("factum_append returned " + i + " outcomes for " + appends + " appends");
            }
            Pending p = group.get(i);
            String streamId = p.request.streamId();
            int outcome = r.getInt(1);
            switch (outcome) {
              case 0 -> {
                outcomes.add(AppendResult.written(streamId, r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5)));
                head = Math.max(head, r.getLong(5));
                written.add(streamId);
              }
              case 1 -> outcomes.add(new AppendResult(streamId, r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5), true));
              case 2 -> outcomes.add(new WrongExpectedVersionException(streamId, p.request.expected(), Long.parseLong(r.getString(6))));
              default -> {
                String[] d = r.getString(6).split("\\|", 2);
                outcomes.add(new IdempotencyConflictException(streamId, UUID.fromString(d[0]), d[1]));
              }
            }
          }
        }
        if (hooks) {
          for (Pending p : group) {
            if (p.beforeCommit != null) {
              p.beforeCommit.run();
            }
          }
          c.commit();
        }
      } catch (SQLException | RuntimeException ex) {
        if (hooks) {
          rollback(c);
        }
        if (isDataException(ex)) {
          refused = (SQLException) ex;
        } else {
          fail(group, ex);
          return;
        }
      } catch (Error err) {
        if (hooks) {
          rollback(c); // before auto-commit is restored, which would commit the open transaction
        }
        throw err;
      } finally {
        restore(c, autoCommit);
      }
    } catch (SQLException ex) {
      fail(group, ex);
      return;
    }
    if (refused != null) {
      refuseBadData(group, refused); // with this group's connection returned: the retries need one each
      return;
    }
    lastCommitNanos = System.nanoTime() - start;
    if (!written.isEmpty()) {
      listener.committed(head, written);
    }
    for (int i = 0; i < appends; i++) {
      Object o = outcomes.get(i);
      if (o instanceof AppendResult result) {
        group.get(i).result.complete(result);
      } else {
        group.get(i).result.completeExceptionally((FactumException) o);
      }
    }
  }

  /** The expected version as {@code factum_append} takes it: -1 any, 0 no stream, -2 stream exists, n exactly n. */
  private static long encode(io.factum.api.ExpectedVersion expected) {
    switch (expected.kind()) {
      case ANY:
        return -1;
      case NO_STREAM:
        return 0;
      case STREAM_EXISTS:
        return -2;
      default:
        return expected.version();
    }
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is gone; the server rolls the transaction back by itself
    }
  }

  private static void restore(Connection c, boolean autoCommit) {
    try {
      c.setAutoCommit(autoCommit);
    } catch (SQLException ignored) {
      // the pool discards broken connections
    }
  }

  /**
   * SQL state class 22: PostgreSQL refused a value (a JSON number beyond its {@code numeric} range,
   * say, which JSON itself allows). The statement failed as a whole, so nothing was written.
   */
  private static boolean isDataException(Exception e) {
    return e instanceof SQLException && ((SQLException) e).getSQLState() != null && ((SQLException) e).getSQLState().startsWith("22");
  }

  /**
   * Nothing of the group was written because some value in it was refused: the appends are written
   * again one by one, so that only the one carrying the value is refused — as invalid input, with
   * PostgreSQL's reason — and the others are answered as if grouped apart.
   */
  private void refuseBadData(List<Pending> group, SQLException e) {
    if (group.size() > 1) {
      for (Pending p : group) {
        commitGroup(List.of(p));
      }
      return;
    }
    group.get(0).result.completeExceptionally(new InvalidEventException("PostgreSQL cannot store this append's events: "
        + e.getMessage() + " (SQL state " + e.getSQLState() + "); nothing was written. Change the value it names"
        + " (JSON numbers must fit PostgreSQL's numeric type), then append again."));
  }

  private static void fail(List<Pending> group, Throwable e) {
    StorageException failure;
    if (e instanceof StorageException) {
      failure = (StorageException) e;
    } else if (e instanceof SQLException) {
      failure = new StorageException("The append was not acknowledged: " + e.getMessage()
          + ". If the connection broke during the commit it may have been written; retrying with the same event ids is safe"
          + " either way.", e);
    } else if (e instanceof Error) {
      failure = new StorageException("The append failed (" + e + "); it may or may not have been written: retrying with the"
          + " same event ids is safe either way.", e);
    } else {
      failure = new StorageException("The append was not written: " + e, e);
    }
    for (Pending p : group) {
      p.result.completeExceptionally(failure);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
