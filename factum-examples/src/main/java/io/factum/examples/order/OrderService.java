package io.factum.examples.order;

import io.factum.api.EventStore;
import io.factum.core.command.AggregateLoader;
import io.factum.core.command.AggregateRoot;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.CommandResult;
import io.factum.core.command.SnapshotPolicy;

/**
 * The write side of the Order domain (the guide's {@code PlaceOrderHandler} and its siblings): each
 * order is the stream {@code Order-<id>}; commands are loaded, decided and appended by one {@link
 * CommandHandler}, which retries on concurrent changes and snapshots every 50 events.
 */
public final class OrderService {

  /** Snapshots of an order are taken every 50 events. */
  public static final SnapshotPolicy SNAPSHOTS = SnapshotPolicy.everyEvents("Order", 1, 50);

  private final CommandHandler<OrderCommand, Order, OrderEvent> handler;

  public OrderService(EventStore store) {
    this.handler = CommandHandler.builder(store, OrderCodec.CODEC, AggregateRoot.decider(Order::new, Order::handle), Order.class,
        OrderEvent.class).snapshots(SNAPSHOTS).build();
  }

  public static String streamOf(String orderId) {
    return "Order-" + orderId;
  }

  /** The guide's {@code PlaceOrderHandler.handle}. */
  public CommandResult<Order, OrderEvent> placeOrder(OrderCommand.PlaceOrder command, CommandContext context) {
    return handler.handle(streamOf(command.orderId()), command, context);
  }

  public CommandResult<Order, OrderEvent> handle(String orderId, OrderCommand command, CommandContext context) {
    return handler.handle(streamOf(orderId), command, context);
  }

  /** The order's current state (snapshot + the events after it). */
  public AggregateLoader.Loaded<Order> load(String orderId) {
    return handler.loader().load(streamOf(orderId));
  }
}
