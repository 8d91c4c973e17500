package io.factum.examples.order;

import java.util.List;

/** What can be asked of an order. */
public sealed interface OrderCommand
    permits OrderCommand.PlaceOrder, OrderCommand.AddLine, OrderCommand.Pay, OrderCommand.Ship, OrderCommand.Cancel {

  record PlaceOrder(String orderId, String customerId, List<OrderEvent.Line> lines, String currency) implements OrderCommand {}

  record AddLine(String sku, int quantity, long priceCents) implements OrderCommand {}

  record Pay(long amountCents, String paymentId) implements OrderCommand {}

  record Ship(String carrier, String tracking) implements OrderCommand {}

  record Cancel(String reason) implements OrderCommand {}
}
