package io.factum.examples.order;

import io.factum.api.EventFilter;
import io.factum.api.RecordedEvent;
import io.factum.core.projection.JdbcProjection;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * {@link OrderSummaryProjection} under the same name, slowed down per event, and reporting {@code
 * APPLIED <position>} every 25 events it has written inside the batch's (still open) transaction.
 */
final class SlowOrderSummaries extends JdbcProjection {

  private final OrderSummaryProjection inner;
  private final long delayMicros;
  private final java.io.PrintStream progress;
  private int applied;

  SlowOrderSummaries(DataSource db, long delayMicros, java.io.PrintStream progress) throws SQLException {
    super(OrderSummaryProjection.NAME, EventFilter.categories("Order"), db);
    this.inner = new OrderSummaryProjection(db);
    this.delayMicros = delayMicros;
    this.progress = progress;
  }

  @Override
  protected void apply(Connection connection, RecordedEvent event) throws SQLException {
    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(delayMicros));
    inner.apply(connection, event);
    if (++applied % 25 == 0) {
      progress.println("APPLIED " + event.globalPosition());
    }
  }

  @Override
  protected void reset(Connection connection) throws SQLException {
    inner.reset(connection);
  }
}
