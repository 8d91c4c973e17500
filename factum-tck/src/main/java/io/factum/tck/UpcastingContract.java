package io.factum.tck;

import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.core.codec.JsonEventCodec;
import io.factum.core.codec.UnknownEventTypeException;
import io.factum.core.codec.Upcast;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Schema evolution: stored old shapes are upcast on read into the current class; stored events never change. */
public interface UpcastingContract extends StoreUnderTest {

  /** The current shape of an event that was renamed and reshaped twice. */
  record ItemOrdered(String sku, int quantity, String currency) {}

  private JsonEventCodec codec() {
    return JsonEventCodec.builder()
        .register(ItemOrdered.class, "ItemOrdered", 3)
        // v1 was called ItemBought and had "product"; it became ItemOrdered v2 with "sku"
        .upcast("ItemBought", 1, json -> Upcast.to("ItemOrdered", 2, json.put("sku", json.remove("product").asText())))
        // v3 added a currency, EUR for everything older
        .upcast("ItemOrdered", 2, json -> Upcast.to("ItemOrdered", 3, json.put("currency", "EUR")))
        .build();
  }

  @Test
  default void storedOldVersionsComeBackAsTheCurrentClass() {
    String id = stream("Cart");
    store().append(id, ExpectedVersion.ANY,
        EventData.json("ItemBought", "{\"product\":\"A-1\",\"quantity\":2}"),
        EventData.json("ItemOrdered", "{\"sku\":\"B-2\",\"quantity\":1}").withSchemaVersion(2),
        codec().encode(new ItemOrdered("C-3", 5, "USD")));

    List<Object> decoded = store().readStream(id, 1, 10).stream().map(e -> codec().decode(e)).toList();

    assertThat(decoded).containsExactly(new ItemOrdered("A-1", 2, "EUR"), new ItemOrdered("B-2", 1, "EUR"),
        new ItemOrdered("C-3", 5, "USD"));
    RecordedEvent stored = store().readStream(id, 1, 1).get(0);
    assertThat(stored.eventType()).as("stored events are never rewritten").isEqualTo("ItemBought");
    assertThat(stored.schemaVersion()).isEqualTo(1);
    assertThat(stored.dataAsString()).contains("product");
  }

  @Test
  default void newEventsAreWrittenAtTheCurrentTypeAndVersion() {
    EventData data = codec().encode(new ItemOrdered("X", 1, "GBP"));
    assertThat(data.eventType()).isEqualTo("ItemOrdered");
    assertThat(data.schemaVersion()).isEqualTo(3);
    assertThat(data.dataAsString()).contains("\"sku\":\"X\"");
  }

  @Test
  default void unknownTypesAndVersionsAreSurfacedNotDropped() {
    String id = stream("Cart");
    store().append(id, ExpectedVersion.ANY,
        EventData.json("CartAbandoned", "{}"),
        EventData.json("ItemOrdered", "{\"sku\":\"Z\"}").withSchemaVersion(9),
        EventData.json("ItemBought", "{\"product\":\"Q\"}").withSchemaVersion(0 + 5));
    List<RecordedEvent> events = store().readStream(id, 1, 10);

    assertThatThrownBy(() -> codec().decode(events.get(0))).isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining("CartAbandoned").hasMessageContaining("not registered");
    assertThatThrownBy(() -> codec().decode(events.get(1))).isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining("newer");
    UnknownEventTypeException noPath = org.assertj.core.api.Assertions.catchThrowableOfType(UnknownEventTypeException.class,
        () -> codec().decode(events.get(2)));
    assertThat(noPath.event()).isEqualTo(events.get(2));
  }
}
