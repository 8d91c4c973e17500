package io.factum.examples.order;

import io.factum.core.command.AggregateRoot;
import io.factum.examples.order.OrderCommand.AddLine;
import io.factum.examples.order.OrderCommand.Cancel;
import io.factum.examples.order.OrderCommand.Pay;
import io.factum.examples.order.OrderCommand.PlaceOrder;
import io.factum.examples.order.OrderCommand.Ship;
import io.factum.examples.order.OrderEvent.Line;
import io.factum.examples.order.OrderEvent.OrderCancelled;
import io.factum.examples.order.OrderEvent.OrderLineAdded;
import io.factum.examples.order.OrderEvent.OrderPaid;
import io.factum.examples.order.OrderEvent.OrderPlaced;
import io.factum.examples.order.OrderEvent.OrderShipped;
import java.util.ArrayList;
import java.util.List;

/**
 * The Order aggregate, in the classic style: command methods check the invariants and raise events;
 * {@link #apply} is the only place the state changes. Its public fields are what a snapshot stores.
 */
public final class Order extends AggregateRoot<OrderEvent> {

  /** Where an order is in its life. */
  public enum Status { NEW, PLACED, PAID, SHIPPED, CANCELLED }

  public String orderId;
  public String customerId;
  public Status status = Status.NEW;
  public List<Line> lines = new ArrayList<>();
  public long totalCents;
  public long paidCents;
  public String currency;

  /** Runs one command (the {@link io.factum.core.command.Decider} entry point). */
  public void handle(OrderCommand command) {
    if (command instanceof PlaceOrder c) {
      place(c);
    } else if (command instanceof AddLine c) {
      addLine(c);
    } else if (command instanceof Pay c) {
      pay(c);
    } else if (command instanceof Ship c) {
      ship(c);
    } else if (command instanceof Cancel c) {
      cancel(c);
    }
  }

  void place(PlaceOrder c) {
    if (status != Status.NEW) {
      throw new OrderRejected("order " + orderId + " is already placed");
    }
    if (c.lines().isEmpty()) {
      throw new OrderRejected("an order needs at least one line");
    }
    long total = c.lines().stream().mapToLong(l -> l.priceCents() * l.quantity()).sum();
    raise(new OrderPlaced(c.orderId(), c.customerId(), c.lines(), total, c.currency()));
  }

  void addLine(AddLine c) {
    requireStatus(Status.PLACED, "add a line to");
    if (c.quantity() < 1) {
      throw new OrderRejected("quantity must be at least 1");
    }
    raise(new OrderLineAdded(c.sku(), c.quantity(), c.priceCents()));
  }

  void pay(Pay c) {
    requireStatus(Status.PLACED, "pay");
    if (c.amountCents() != totalCents) {
      throw new OrderRejected("payment of " + c.amountCents() + " does not match the total of " + totalCents);
    }
    raise(new OrderPaid(c.amountCents(), c.paymentId()));
  }

  void ship(Ship c) {
    requireStatus(Status.PAID, "ship");
    raise(new OrderShipped(c.carrier(), c.tracking()));
  }

  void cancel(Cancel c) {
    if (status == Status.SHIPPED || status == Status.CANCELLED) {
      throw new OrderRejected("a " + status.name().toLowerCase() + " order cannot be cancelled");
    }
    raise(new OrderCancelled(c.reason()));
  }

  private void requireStatus(Status expected, String action) {
    if (status != expected) {
      throw new OrderRejected("cannot " + action + " an order that is " + status.name().toLowerCase());
    }
  }

  @Override
  protected void apply(OrderEvent event) {
    if (event instanceof OrderPlaced e) {
      orderId = e.orderId();
      customerId = e.customerId();
      lines = new ArrayList<>(e.lines());
      totalCents = e.totalCents();
      currency = e.currency();
      status = Status.PLACED;
    } else if (event instanceof OrderLineAdded e) {
      lines.add(new Line(e.sku(), e.quantity(), e.priceCents()));
      totalCents += e.priceCents() * e.quantity();
    } else if (event instanceof OrderPaid e) {
      paidCents = e.amountCents();
      status = Status.PAID;
    } else if (event instanceof OrderShipped) {
      status = Status.SHIPPED;
    } else if (event instanceof OrderCancelled) {
      status = Status.CANCELLED;
    }
  }

  /** A command the order refuses, with the reason. */
  public static final class OrderRejected extends RuntimeException {
    public OrderRejected(String message) {
      super(message);
    }
  }
}
