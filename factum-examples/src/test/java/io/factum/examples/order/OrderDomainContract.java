package io.factum.examples.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.core.command.AggregateLoader;
import io.factum.core.command.CommandContext;
import io.factum.examples.order.OrderCommand.AddLine;
import io.factum.examples.order.OrderCommand.Cancel;
import io.factum.examples.order.OrderCommand.Pay;
import io.factum.examples.order.OrderCommand.PlaceOrder;
import io.factum.examples.order.OrderCommand.Ship;
import io.factum.examples.order.OrderEvent.Line;
import io.factum.tck.CountingStore;
import io.factum.tck.Race;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Order domain on a backend: lifecycle, invariants, concurrency, snapshots, upcasting. */
abstract class OrderDomainContract {

  private EventStore store;
  private OrderService orders;

  protected abstract EventStore createStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = createStore();
    orders = new OrderService(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static PlaceOrder place(String id) {
    return new PlaceOrder(id, "cust-" + id, List.of(new Line("BOOK-1", 2, 1500)), "EUR");
  }

  @Test
  void anOrderGoesThroughItsLifecycle() {
    orders.placeOrder(place("1"), CommandContext.byUser("alice"));
    orders.handle("1", new AddLine("PEN", 2, 100), CommandContext.none());
    orders.handle("1", new Pay(3200, "pay-1"), CommandContext.none());
    orders.handle("1", new Ship("DHL", "T-1"), CommandContext.none());

    Order order = orders.load("1").state();
    assertThat(order.status).isEqualTo(Order.Status.SHIPPED);
    assertThat(order.totalCents).isEqualTo(3200);
    assertThat(order.lines).hasSize(2);
    assertThat(store.streamVersion("Order-1")).hasValue(4);
  }

  @Test
  void theOrderRefusesWhatItsRulesForbidAndNothingIsWritten() {
    orders.placeOrder(place("2"), CommandContext.none());
    assertThatThrownBy(() -> orders.handle("2", new Ship("DHL", "x"), CommandContext.none())).hasMessageContaining("cannot ship");
    assertThatThrownBy(() -> orders.handle("2", new Pay(1, "p"), CommandContext.none())).hasMessageContaining("does not match");
    assertThatThrownBy(() -> orders.placeOrder(place("2"), CommandContext.none())).hasMessageContaining("already placed");
    orders.handle("2", new Cancel("no"), CommandContext.none());
    assertThatThrownBy(() -> orders.handle("2", new Cancel("again"), CommandContext.none())).hasMessageContaining("cancelled");
    assertThat(store.streamVersion("Order-2")).hasValue(2);
  }

  @Test
  void concurrentCommandsOnOneOrderAllLandThroughRetries() throws Exception {
    orders.placeOrder(place("3"), CommandContext.none());
    Race.run(6, t -> {
      for (int k = 0; k < 10; k++) {
        orders.handle("3", new AddLine("T" + t + "-" + k, 1, 10), CommandContext.none());
      }
      return null;
    });
    Order order = orders.load("3").state();
    assertThat(order.lines).hasSize(61);
    assertThat(order.totalCents).isEqualTo(3000 + 600);
    assertThat(store.streamVersion("Order-3")).hasValue(61);
  }

  @Test
  void aBusyOrderIsSnapshottedEvery50EventsAndLoadsReadOnlyTheTail() {
    CountingStore counting = new CountingStore(store);
    OrderService countingOrders = new OrderService(counting);
    countingOrders.placeOrder(place("4"), CommandContext.none());
    for (int k = 0; k < 69; k++) {
      countingOrders.handle("4", new AddLine("S" + k, 1, 1), CommandContext.none());
    }
    assertThat(store.snapshots().load("Order-4").orElseThrow().version()).isEqualTo(50);

    counting.resetCount();
    AggregateLoader.Loaded<Order> loaded = countingOrders.load("4");
    assertThat(loaded.version()).isEqualTo(70);
    assertThat(loaded.state().lines).hasSize(70);
    assertThat(loaded.snapshotVersion()).isEqualTo(50);
    assertThat(counting.streamEventsRead()).isEqualTo(20);
  }

  @Test
  void eventsFromOlderVersionsOfTheApplicationAreUpcastIntoTheCurrentShape() {
    store.append("Order-old", ExpectedVersion.NO_STREAM,
        EventData.json("OrderCreated", "{\"order_id\":\"old\",\"customer\":\"c-9\",\"amount\":4200}"));
    store.append("Order-mid", ExpectedVersion.NO_STREAM,
        EventData.json("OrderPlaced", "{\"order_id\":\"mid\",\"customer_id\":\"c-8\",\"lines\":[{\"sku\":\"A\",\"quantity\":1,"
            + "\"price_cents\":700}],\"total_cents\":700}").withSchemaVersion(2));

    Order old = orders.load("old").state();
    Order mid = orders.load("mid").state();
    assertThat(old.customerId).isEqualTo("c-9");
    assertThat(old.totalCents).isEqualTo(4200);
    assertThat(old.currency).isEqualTo("EUR");
    assertThat(mid.lines).containsExactly(new Line("A", 1, 700));
    assertThat(mid.currency).isEqualTo("EUR");

    // and commands work on them as on any order
    orders.handle("old", new Pay(4200, "p"), CommandContext.none());
    assertThat(orders.load("old").state().status).isEqualTo(Order.Status.PAID);
    assertThat(store.readStream("Order-old", 1, 1).get(0).eventType()).as("the stored event is unchanged").isEqualTo("OrderCreated");
  }
}
