package io.factum.examples.order;

import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.core.command.AggregateLoader;
import io.factum.core.command.CommandContext;
import io.factum.core.projection.ProjectionRunner;
import io.factum.core.projection.ProjectionStatus;
import io.factum.embedded.EmbeddedEventStore;
import io.factum.examples.order.OrderCommand.AddLine;
import io.factum.examples.order.OrderCommand.Cancel;
import io.factum.examples.order.OrderCommand.Pay;
import io.factum.examples.order.OrderCommand.PlaceOrder;
import io.factum.examples.order.OrderCommand.Ship;
import io.factum.examples.order.OrderEvent.Line;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The guide's Order domain end to end, on a durable store: commands through {@link OrderService}
 * (with a rejected one, and a busy order that gets snapshotted), an event from an older version of
 * the application upcast on read, and {@link OrderSummaryProjection} building a read model in an
 * in-memory SQL database. Run it with {@code ./factum orders}.
 */
public final class OrderDemo {

  private OrderDemo() {}

  public static void main(String[] args) throws Exception {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("factum-orders");
    run(dir, System.out);
  }

  static void run(Path dir, PrintStream out) throws Exception {
    JdbcDataSource readModel = new JdbcDataSource();
    readModel.setURL("jdbc:h2:mem:orders-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    try (EventStore store = EmbeddedEventStore.open(dir); ProjectionRunner projections = new ProjectionRunner(store)) {
      if (store.headPosition() > 0) {
        // the demo writes fixed order ids: a second run would meet its own orders and fail half-way
        throw new IllegalArgumentException("The Order demo needs an empty store, and " + dir + " already holds "
            + store.headPosition() + " events; give a new directory, or none for a temporary one.");
      }
      OrderService orders = new OrderService(store);
      out.println("Event store in " + dir);

      // An order written years ago, by version 1 of the application: OrderCreated, since renamed.
      store.append(OrderService.streamOf("legacy-1"), ExpectedVersion.NO_STREAM,
          EventData.json("OrderCreated", "{\"order_id\":\"legacy-1\",\"customer\":\"cust-0\",\"amount\":1999}"));

      CommandContext alice = CommandContext.byUser("alice");
      orders.placeOrder(new PlaceOrder("o-1", "cust-1", List.of(new Line("BOOK-1", 2, 1500)), "EUR"), alice);
      orders.handle("o-1", new AddLine("PEN-7", 3, 250), alice);
      orders.handle("o-1", new Pay(3750, "pay-1"), alice);
      orders.handle("o-1", new Ship("DHL", "JD0001"), alice);
      orders.placeOrder(new PlaceOrder("o-2", "cust-2", List.of(new Line("MUG-3", 1, 900)), "USD"), alice);
      orders.handle("o-2", new Cancel("changed my mind"), alice);
      try {
        orders.placeOrder(new PlaceOrder("o-3", "cust-3", List.of(new Line("TEA-1", 1, 450)), "EUR"), alice);
        orders.handle("o-3", new Ship("UPS", "1Z"), alice);
      } catch (Order.OrderRejected rejected) {
        out.println("rejected: " + rejected.getMessage());
      }

      // A busy order: 60 more lines; a snapshot is taken every 50 events.
      orders.placeOrder(new PlaceOrder("busy", "cust-4", List.of(new Line("SKU-0", 1, 100)), "EUR"), alice);
      for (int k = 1; k <= 60; k++) {
        orders.handle("busy", new AddLine("SKU-" + k, 1, 100), alice);
      }
      AggregateLoader.Loaded<Order> busy = orders.load("busy");
      out.printf("busy order: version %d, %d lines, loaded from the snapshot at version %d plus %d events%n",
          busy.version(), busy.state().lines.size(), busy.snapshotVersion(), busy.eventsReplayed());

      Order legacy = orders.load("legacy-1").state();
      out.printf("legacy order (stored as OrderCreated v1): customer %s, total %d %s, status %s%n",
          legacy.customerId, legacy.totalCents, legacy.currency, legacy.status);

      projections.start(new OrderSummaryProjection(readModel));
      long head = store.headPosition();
      while (projections.status(OrderSummaryProjection.NAME).position() < head) {
        Thread.sleep(10);
      }
      ProjectionStatus status = projections.status(OrderSummaryProjection.NAME);
      out.printf("projection %s: %s at position %d, lag %d%n", status.name(), status.state(), status.position(), status.lag());
      out.println("order_summaries:");
      try (Connection c = readModel.getConnection(); Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT order_id, customer_id, status, total_cents, currency, line_count, event_count "
              + "FROM order_summaries ORDER BY order_id")) {
        while (r.next()) {
          out.printf("  %-9s %-7s %-9s %7d %s  %2d lines  %2d events%n", r.getString(1), r.getString(2), r.getString(3), r.getLong(4),
              r.getString(5), r.getInt(6), r.getInt(7));
        }
      }
    }
  }
}
