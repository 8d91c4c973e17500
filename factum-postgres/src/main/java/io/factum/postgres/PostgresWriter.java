package io.factum.postgres;

import io.factum.api.AppendRequest;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.FactumException;
import io.factum.api.IdempotencyConflictException;
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
      }
    }

    private Pending() {
      request = null;
      ids = null;
      callerIds = null;
      data = null;
      binary = null;
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
      int cut = group.size();
      for (int k = 0; k < group.size(); k++) {
        events += group.get(k).request.events().size();
        if (events > MAX_GROUP_EVENTS && k > 0) {
          cut = k;
          break;
        }
      }
      carry.addAll(group.subList(cut, group.size()));
      List<Pending> now = new ArrayList<>(group.subList(0, cut));
      lastGroupSize = Math.max(1, now.size());
      commitGroup(now);
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

  /** What one append will do, decided under the head lock. */
  private record Plan(Pending pending, AppendResult result, long firstVersion, long firstPosition, FactumException failure) {}

  private record Stored(String streamId, long version, long position) {}

  private void commitGroup(List<Pending> group) {
    long start = System.nanoTime();
    List<Plan> plans = new ArrayList<>(group.size());
    long head;
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        head = lockHead(c);
        Map<UUID, Stored> stored = findIds(c, group);
        Map<String, Long> versions = streamVersions(c, group);
        long next = head + 1;
        for (Pending p : group) {
          Plan plan = plan(p, stored, versions, next);
          plans.add(plan);
          if (plan.failure() == null && plan.result() != null && !plan.result().alreadyAppended()) {
            int n = p.ids.length;
            for (int k = 0; k < n; k++) {
              stored.put(p.ids[k], new Stored(p.request.streamId(), plan.firstVersion() + k, plan.firstPosition() + k));
            }
            versions.put(p.request.streamId(), plan.firstVersion() + n - 1);
            next += n;
          }
        }
        long newHead = next - 1;
        Set<String> streams = new LinkedHashSet<>();
        if (newHead > head) {
          insertEvents(c, plans);
          upsertStreams(c, plans, streams);
          try (PreparedStatement s = c.prepareStatement(sql.updateHead)) {
            s.setLong(1, newHead);
            s.setString(2, Long.toString(newHead));
            s.execute();
          }
        }
        for (Pending p : group) {
          if (p.beforeCommit != null) {
            p.beforeCommit.run();
          }
        }
        c.commit();
        lastCommitNanos = System.nanoTime() - start;
        if (newHead > head) {
          listener.committed(newHead, streams);
        }
      } catch (SQLException | RuntimeException e) {
        rollback(c);
        fail(group, e);
        return;
      } finally {
        restore(c, autoCommit);
      }
    } catch (SQLException e) {
      fail(group, e);
      return;
    }
    for (Plan plan : plans) {
      if (plan.failure() != null) {
        plan.pending().result.completeExceptionally(plan.failure());
      } else {
        plan.pending().result.complete(plan.result());
      }
    }
  }

  /** The idempotency rule, then the expected version; nothing is written here. */
  private static Plan plan(Pending p, Map<UUID, Stored> stored, Map<String, Long> versions, long nextPosition) {
    String streamId = p.request.streamId();
    int n = p.ids.length;
    Stored[] found = new Stored[n];
    int foundCount = 0;
    for (int k = 0; k < n; k++) {
      if (p.callerIds[k]) {
        found[k] = stored.get(p.ids[k]);
        if (found[k] != null) {
          foundCount++;
        }
      }
    }
    if (foundCount > 0) {
      UUID first = null;
      for (int k = 0; k < n && first == null; k++) {
        if (found[k] != null) {
          first = p.ids[k];
        }
      }
      if (foundCount < n) {
        return failed(p, new IdempotencyConflictException(streamId, first,
            "only " + foundCount + " of the " + n + " events are already stored (partial overlap)"));
      }
      for (int k = 0; k < n; k++) {
        if (!found[k].streamId().equals(streamId)) {
          return failed(p, new IdempotencyConflictException(streamId, p.ids[k], "it is stored in stream '" + found[k].streamId() + "'"));
        }
        if (found[k].version() != found[0].version() + k) {
          return failed(p, new IdempotencyConflictException(streamId, p.ids[k], "the stored events are in another order"));
        }
      }
      return new Plan(p, new AppendResult(streamId, found[0].version(), found[n - 1].version(), found[0].position(),
          found[n - 1].position(), true), 0, 0, null);
    }
    long current = versions.getOrDefault(streamId, 0L);
    if (!p.request.expected().isSatisfiedBy(current)) {
      return failed(p, new WrongExpectedVersionException(streamId, p.request.expected(), current == 0 ? -1 : current));
    }
    return new Plan(p, AppendResult.written(streamId, current + 1, current + n, nextPosition, nextPosition + n - 1), current + 1,
        nextPosition, null);
  }

  private static Plan failed(Pending p, FactumException e) {
    return new Plan(p, null, 0, 0, e);
  }

  private long lockHead(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql.lockHead); ResultSet r = s.executeQuery()) {
      if (!r.next()) {
        throw new SQLException("factum_head has no row; the schema is damaged");
      }
      return r.getLong(1);
    }
  }

  private Map<UUID, Stored> findIds(Connection c, List<Pending> group) throws SQLException {
    List<UUID> ids = new ArrayList<>();
    for (Pending p : group) {
      for (int k = 0; k < p.ids.length; k++) {
        if (p.callerIds[k]) {
          ids.add(p.ids[k]);
        }
      }
    }
    Map<UUID, Stored> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    try (PreparedStatement s = c.prepareStatement(sql.findIds)) {
      s.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.put(r.getObject(1, UUID.class), new Stored(r.getString(2), r.getLong(3), r.getLong(4)));
        }
      }
    }
    return out;
  }

  private Map<String, Long> streamVersions(Connection c, List<Pending> group) throws SQLException {
    Set<String> streams = new LinkedHashSet<>();
    for (Pending p : group) {
      streams.add(p.request.streamId());
    }
    Map<String, Long> out = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement(sql.streamVersions)) {
      s.setArray(1, c.createArrayOf("varchar", streams.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.put(r.getString(1), r.getLong(2));
        }
      }
    }
    return out;
  }

  private void insertEvents(Connection c, List<Plan> plans) throws SQLException {
    List<Object> ids = new ArrayList<>();
    List<Object> streams = new ArrayList<>();
    List<Object> categories = new ArrayList<>();
    List<Object> types = new ArrayList<>();
    List<Object> data = new ArrayList<>();
    List<Object> metadata = new ArrayList<>();
    List<Object> versions = new ArrayList<>();
    List<Object> positions = new ArrayList<>();
    List<Object> schemaVersions = new ArrayList<>();
    List<Object> contentTypes = new ArrayList<>();
    List<Object> binary = new ArrayList<>();
    for (Plan plan : plans) {
      if (plan.failure() != null || plan.result().alreadyAppended()) {
        continue;
      }
      Pending p = plan.pending();
      String streamId = p.request.streamId();
      String category = StreamIds.categoryOf(streamId);
      List<EventData> events = p.request.events();
      for (int k = 0; k < events.size(); k++) {
        EventData e = events.get(k);
        ids.add(p.ids[k]);
        streams.add(streamId);
        categories.add(category);
        types.add(e.eventType());
        data.add(p.data[k]);
        metadata.add(p.metadata[k]);
        versions.add(plan.firstVersion() + k);
        positions.add(plan.firstPosition() + k);
        schemaVersions.add(e.schemaVersion());
        contentTypes.add(e.contentType());
        binary.add(p.binary[k]);
      }
    }
    try (PreparedStatement s = c.prepareStatement(sql.insertEvents)) {
      s.setArray(1, array(c, "uuid", ids));
      s.setArray(2, array(c, "varchar", streams));
      s.setArray(3, array(c, "varchar", categories));
      s.setArray(4, array(c, "varchar", types));
      s.setArray(5, array(c, "text", data));
      s.setArray(6, array(c, "text", metadata));
      s.setArray(7, array(c, "bigint", versions));
      s.setArray(8, array(c, "bigint", positions));
      s.setArray(9, array(c, "int4", schemaVersions));
      s.setArray(10, array(c, "varchar", contentTypes));
      s.setArray(11, array(c, "text", binary));
      s.executeUpdate();
    }
  }

  private void upsertStreams(Connection c, List<Plan> plans, Set<String> touched) throws SQLException {
    Map<String, Long> last = new LinkedHashMap<>();
    for (Plan plan : plans) {
      if (plan.failure() == null && !plan.result().alreadyAppended()) {
        last.put(plan.result().streamId(), plan.result().lastVersion());
      }
    }
    touched.addAll(last.keySet());
    try (PreparedStatement s = c.prepareStatement(sql.upsertStreams)) {
      s.setArray(1, c.createArrayOf("varchar", last.keySet().toArray()));
      s.setArray(2, c.createArrayOf("bigint", last.values().toArray()));
      s.executeUpdate();
    }
  }

  private static Array array(Connection c, String type, List<Object> values) throws SQLException {
    return c.createArrayOf(type, values.toArray());
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

  private static void fail(List<Pending> group, Exception e) {
    StorageException failure;
    if (e instanceof StorageException) {
      failure = (StorageException) e;
    } else if (e instanceof SQLException) {
      failure = new StorageException("The append was not acknowledged: " + e.getMessage()
          + ". If the connection broke during the commit it may have been written; retrying with the same event ids is safe"
          + " either way.", e);
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
