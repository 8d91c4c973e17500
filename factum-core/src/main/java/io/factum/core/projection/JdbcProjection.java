package io.factum.core.projection;

import io.factum.api.EventFilter;
import io.factum.api.RecordedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * A projection into a relational database with <b>exactly-once effect</b>: each batch's changes and
 * the projection's position are committed in one transaction, in the read model's own database
 * (table {@code factum_projection_positions}). A crash at any moment leaves either the whole batch
 * and its position, or neither; the restart resumes from the committed position, so no event is
 * applied twice or skipped.
 *
 * <p>Subclasses write the read model through the connection they are given, inside that transaction:
 *
 * <pre>{@code
 * class OrderSummaries extends JdbcProjection {
 *   OrderSummaries(DataSource db) { super("order-summaries", EventFilter.categories("Order"), db); }
 *   protected void apply(Connection c, RecordedEvent e) throws SQLException { ... INSERT/UPDATE ... }
 *   protected void reset(Connection c) throws SQLException { ... DELETE FROM order_summaries ... }
 * }
 * }</pre>
 */
public abstract class JdbcProjection implements Projection {

  private static final String TABLE = "factum_projection_positions";

  private final String name;
  private final EventFilter filter;
  private final DataSource dataSource;
  private volatile boolean tableReady;

  protected JdbcProjection(String name, EventFilter filter, DataSource dataSource) {
    this.name = name;
    this.filter = filter;
    this.dataSource = dataSource;
  }

  /** Applies one event to the read model, inside the batch's transaction. */
  protected abstract void apply(Connection connection, RecordedEvent event) throws SQLException;

  /** Deletes the read model's rows, inside the reset's transaction. */
  protected abstract void reset(Connection connection) throws SQLException;

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final EventFilter filter() {
    return filter;
  }

  @Override
  public final long position() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      ensureTable(c);
      try (PreparedStatement s = c.prepareStatement("SELECT position FROM " + TABLE + " WHERE name = ?")) {
        s.setString(1, name);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? r.getLong(1) : 0;
        }
      }
    }
  }

  @Override
  public final void apply(List<RecordedEvent> events, long position) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      ensureTable(c);
      inTransaction(c, () -> {
        for (RecordedEvent e : events) {
          apply(c, e);
        }
        savePosition(c, position);
      });
    }
  }

  @Override
  public final void reset() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      ensureTable(c);
      inTransaction(c, () -> {
        reset(c);
        savePosition(c, 0);
      });
    }
  }

  /** Work done in one transaction. */
  private interface Work {
    void run() throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction: committed whole, or rolled back on any throwable (an
   * {@code Error} too). Auto-commit is restored only once the transaction has ended, since switching
   * it on in the middle of one commits it; if even the rollback failed, it is left off (closing the
   * connection then ends the transaction without committing it).
   */
  private static void inTransaction(Connection c, Work work) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      work.run();
      c.commit();
    } catch (Throwable failure) {
      try {
        c.rollback();
      } catch (SQLException | RuntimeException rollbackFailure) {
        failure.addSuppressed(rollbackFailure);
        throw failure;
      }
      try {
        c.setAutoCommit(auto);
      } catch (SQLException | RuntimeException restoreFailure) {
        failure.addSuppressed(restoreFailure);
      }
      throw failure;
    }
    c.setAutoCommit(auto);
  }

  private void savePosition(Connection c, long position) throws SQLException {
    try (PreparedStatement u = c.prepareStatement("UPDATE " + TABLE + " SET position = ? WHERE name = ?")) {
      u.setLong(1, position);
      u.setString(2, name);
      if (u.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement i = c.prepareStatement("INSERT INTO " + TABLE + " (name, position) VALUES (?, ?)")) {
      i.setString(1, name);
      i.setLong(2, position);
      i.executeUpdate();
    }
  }

  private void ensureTable(Connection c) throws SQLException {
    if (tableReady) {
      return;
    }
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (name VARCHAR(255) PRIMARY KEY, position BIGINT NOT NULL)");
    } finally {
      c.setAutoCommit(auto);
    }
    tableReady = true;
  }
}
