package io.factum.examples.order;

import java.util.List;

/** What happens to an order: the events of the guide's Order domain, in their current shapes. */
public sealed interface OrderEvent
    permits OrderEvent.OrderPlaced, OrderEvent.OrderLineAdded, OrderEvent.OrderPaid, OrderEvent.OrderShipped, OrderEvent.OrderCancelled {

  /** One line of an order. */
  record Line(String sku, int quantity, long priceCents) {}

  /**
   * An order was placed. Version 3: {@code currency} added (older events were all EUR). Version 2:
   * renamed from {@code OrderCreated} (version 1, with {@code customer} and a bare {@code amount}).
   */
  record OrderPlaced(String orderId, String customerId, List<Line> lines, long totalCents, String currency) implements OrderEvent {}

  record OrderLineAdded(String sku, int quantity, long priceCents) implements OrderEvent {}

  record OrderPaid(long amountCents, String paymentId) implements OrderEvent {}

  record OrderShipped(String carrier, String tracking) implements OrderEvent {}

  record OrderCancelled(String reason) implements OrderEvent {}
}
