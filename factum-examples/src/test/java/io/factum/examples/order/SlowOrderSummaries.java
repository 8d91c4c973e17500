package io.factum.examples.order;

import io.factum.api.EventFilter;
import io.factum.api.RecordedEvent;
import io.factum.core.projection.JdbcProjection;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/** {@link OrderSummaryProjection} under the same name, slowed down per event so a kill lands inside a batch. */
final class SlowOrderSummaries extends JdbcProjection {

  private final OrderSummaryProjection inner;
  private final long delayMicros;

  SlowOrderSummaries(DataSource db, long delayMicros) throws SQLException {
    super(OrderSummaryProjection.NAME, EventFilter.categories("Order"), db);
    this.inner = new OrderSummaryProjection(db);
    this.delayMicros = delayMicros;
  }

  @Override
  protected void apply(Connection connection, RecordedEvent event) throws SQLException {
    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(delayMicros));
    inner.apply(connection, event);
  }

  @Override
  protected void reset(Connection connection) throws SQLException {
    inner.reset(connection);
  }
}
