package io.factum.examples.order;

import io.factum.api.EventFilter;
import io.factum.api.RecordedEvent;
import io.factum.core.projection.JdbcProjection;
import io.factum.examples.order.OrderEvent.OrderCancelled;
import io.factum.examples.order.OrderEvent.OrderLineAdded;
import io.factum.examples.order.OrderEvent.OrderPaid;
import io.factum.examples.order.OrderEvent.OrderPlaced;
import io.factum.examples.order.OrderEvent.OrderShipped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The read side: one row per order in {@code order_summaries}, kept up to date from the Order
 * events (old versions upcast on the way). Each batch of events and the projection's position commit
 * in one transaction, so every event counts exactly once — {@code event_count} proves it.
 */
public final class OrderSummaryProjection extends JdbcProjection {

  public static final String NAME = "order-summaries";

  public OrderSummaryProjection(DataSource readModel) throws SQLException {
    super(NAME, EventFilter.categories("Order"), readModel);
    try (Connection c = readModel.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS order_summaries ("
          + "order_id VARCHAR(255) PRIMARY KEY, customer_id VARCHAR(255), status VARCHAR(32), total_cents BIGINT, "
          + "currency VARCHAR(8), line_count INT, event_count INT)");
    }
  }

  @Override
  protected void apply(Connection c, RecordedEvent event) throws SQLException {
    Object e = OrderCodec.CODEC.decode(event);
    String orderId = event.streamId().substring("Order-".length());
    if (e instanceof OrderPlaced p) {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO order_summaries "
          + "(order_id, customer_id, status, total_cents, currency, line_count, event_count) VALUES (?, ?, 'placed', ?, ?, ?, 1)")) {
        s.setString(1, orderId);
        s.setString(2, p.customerId());
        s.setLong(3, p.totalCents());
        s.setString(4, p.currency());
        s.setInt(5, p.lines().size());
        s.executeUpdate();
      }
      return;
    }
    if (e instanceof OrderLineAdded l) {
      try (PreparedStatement s = c.prepareStatement("UPDATE order_summaries SET total_cents = total_cents + ?, "
          + "line_count = line_count + 1, event_count = event_count + 1 WHERE order_id = ?")) {
        s.setLong(1, l.priceCents() * l.quantity());
        s.setString(2, orderId);
        s.executeUpdate();
      }
      return;
    }
    String status = e instanceof OrderPaid ? "paid" : e instanceof OrderShipped ? "shipped" : e instanceof OrderCancelled ? "cancelled" : null;
    try (PreparedStatement s = c.prepareStatement("UPDATE order_summaries SET status = COALESCE(?, status), "
        + "event_count = event_count + 1 WHERE order_id = ?")) {
      s.setString(1, status);
      s.setString(2, orderId);
      s.executeUpdate();
    }
  }

  @Override
  protected void reset(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DELETE FROM order_summaries");
    }
  }
}
