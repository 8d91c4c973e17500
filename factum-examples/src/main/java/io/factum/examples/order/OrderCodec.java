package io.factum.examples.order;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.factum.core.codec.JsonEventCodec;
import io.factum.core.codec.Upcast;

/**
 * The Order domain's event types and their history. Stored events are never rewritten; old shapes
 * are upcast on read:
 *
 * <ul>
 *   <li>{@code OrderCreated} v1 {@code {order_id, customer, amount}} → {@code OrderPlaced} v2
 *       {@code {order_id, customer_id, lines: [], total_cents}} (a rename);
 *   <li>{@code OrderPlaced} v2 → v3: {@code currency} added; everything before it was EUR.
 * </ul>
 */
public final class OrderCodec {

  public static final JsonEventCodec CODEC = JsonEventCodec.builder()
      .register(OrderEvent.OrderPlaced.class, "OrderPlaced", 3)
      .register(OrderEvent.OrderLineAdded.class, "OrderLineAdded", 1)
      .register(OrderEvent.OrderPaid.class, "OrderPaid", 1)
      .register(OrderEvent.OrderShipped.class, "OrderShipped", 1)
      .register(OrderEvent.OrderCancelled.class, "OrderCancelled", 1)
      .upcast("OrderCreated", 1, json -> {
        json.put("customer_id", json.remove("customer").asText());
        json.put("total_cents", json.remove("amount").asLong());
        json.set("lines", JsonNodeFactory.instance.arrayNode());
        return Upcast.to("OrderPlaced", 2, json);
      })
      .upcast("OrderPlaced", 2, json -> Upcast.to("OrderPlaced", 3, json.put("currency", "EUR")))
      .build();

  private OrderCodec() {}
}
