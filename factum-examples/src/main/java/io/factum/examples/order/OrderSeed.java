package io.factum.examples.order;

import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.core.command.CommandContext;
import io.factum.examples.order.OrderCommand.AddLine;
import io.factum.examples.order.OrderCommand.Cancel;
import io.factum.examples.order.OrderCommand.Pay;
import io.factum.examples.order.OrderCommand.PlaceOrder;
import io.factum.examples.order.OrderCommand.Ship;
import io.factum.examples.order.OrderEvent.Line;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Fills a store with realistic Order data through {@link OrderService} (so through commands,
 * optimistic concurrency and snapshots, not raw appends): orders placed, extended, paid, shipped or
 * cancelled by a few users, one order from an older version of the application (an {@code
 * OrderCreated} v1 event, upcast on read), and one busy order long enough to be snapshotted. Orders
 * of one run share a prefix, so running it again adds new orders.
 */
public final class OrderSeed {

  /** What a run wrote. */
  public record Summary(String prefix, int orders, int paid, int shipped, int cancelled, long events) {}

  private static final String[] SKUS = {"BOOK-1", "PEN-7", "MUG-3", "TEA-1", "LAMP-2", "DESK-9", "CHAIR-4"};
  private static final String[] USERS = {"alice", "bob", "carol"};

  private OrderSeed() {}

  /**
   * Writes {@code orders} orders (at least 1) to {@code store}.
   *
   * @param seed makes the run repeatable
   * @param progress told the number of orders written so far, after each order
   */
  public static Summary load(EventStore store, int orders, long seed, IntConsumer progress) {
    if (orders < 1) {
      throw new IllegalArgumentException("orders must be >= 1, got " + orders);
    }
    Random random = new Random(seed);
    OrderService service = new OrderService(store);
    String prefix = "demo" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36) + "-";
    long head = store.headPosition();
    int paid = 0;
    int shipped = 0;
    int cancelled = 0;

    // An order written long ago by version 1 of the application: OrderCreated, since renamed.
    store.append(OrderService.streamOf(prefix + "legacy"), ExpectedVersion.NO_STREAM,
        EventData.json("OrderCreated", "{\"order_id\":\"" + prefix + "legacy\",\"customer\":\"cust-0\",\"amount\":1999}"));

    for (int n = 1; n <= orders; n++) {
      String id = prefix + n;
      CommandContext by = CommandContext.byUser(USERS[random.nextInt(USERS.length)]);
      List<Line> lines = new ArrayList<>();
      for (int k = 0, count = 1 + random.nextInt(3); k < count; k++) {
        lines.add(line(random));
      }
      service.placeOrder(new PlaceOrder(id, "cust-" + (1 + random.nextInt(40)), lines, random.nextInt(4) == 0 ? "USD" : "EUR"), by);
      if (random.nextInt(3) == 0) {
        Line extra = line(random);
        service.handle(id, new AddLine(extra.sku(), extra.quantity(), extra.priceCents()), by);
      }
      int fate = random.nextInt(10);
      if (fate < 7) {
        long total = service.load(id).state().totalCents;
        service.handle(id, new Pay(total, "pay-" + id), by);
        paid++;
        if (fate < 5) {
          service.handle(id, new Ship(random.nextBoolean() ? "DHL" : "UPS", "TRK" + (100000 + random.nextInt(900000))), by);
          shipped++;
        }
      } else if (fate == 9) {
        service.handle(id, new Cancel("customer changed their mind"), by);
        cancelled++;
      }
      progress.accept(n);
    }

    // A busy order: 60 more lines, so a snapshot is taken (every 50 events).
    String busy = prefix + "busy";
    CommandContext ops = CommandContext.byUser("ops");
    service.placeOrder(new PlaceOrder(busy, "cust-99", List.of(line(random)), "EUR"), ops);
    for (int k = 0; k < 60; k++) {
      Line l = line(random);
      service.handle(busy, new AddLine(l.sku(), l.quantity(), l.priceCents()), ops);
    }
    return new Summary(prefix, orders + 2, paid, shipped, cancelled, store.headPosition() - head);
  }

  private static Line line(Random random) {
    return new Line(SKUS[random.nextInt(SKUS.length)], 1 + random.nextInt(3), 100L * (5 + random.nextInt(95)));
  }
}
