package io.factum.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.EventData;
import io.factum.api.InvalidEventException;
import io.factum.api.RecordedEvent;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What the codec refuses, and how it reports events it cannot decode. */
class JsonEventCodecTest {

  record Renamed(String name) {}

  enum Closed { X }

  private static RecordedEvent stored(String type, int schemaVersion, String json) {
    return new RecordedEvent(UUID.randomUUID(), "Account-1", type, 4, schemaVersion, json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), EventData.JSON, 9, Instant.now());
  }

  @Test
  void anEventThatIsNotAJsonObjectIsRefusedWhenEncodedNotWhenReadBack() {
    JsonEventCodec codec = JsonEventCodec.builder().register(Closed.class, "Closed", 1).build();

    assertThatThrownBy(() -> codec.encode(Closed.X)).isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("not a JSON object").hasMessageContaining("\"X\"");
  }

  @Test
  void anUpcasterThatFailsOrReturnsNullIsReportedWithTheEvent() {
    JsonEventCodec throwing = JsonEventCodec.builder().register(Renamed.class, "Renamed", 2)
        .upcast("Renamed", 1, json -> Upcast.to("Renamed", 2, json.put("name", json.remove("old_name").asText()))).build();
    RecordedEvent withoutField = stored("Renamed", 1, "{\"other\":1}");
    assertThatThrownBy(() -> throwing.decode(withoutField)).isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining(withoutField.eventId().toString()).hasMessageContaining("could not be upcast from 'Renamed' v1")
        .hasCauseInstanceOf(NullPointerException.class)
        .satisfies(e -> assertThat(((UnknownEventTypeException) e).event()).isSameAs(withoutField));

    JsonEventCodec nulls = JsonEventCodec.builder().register(Renamed.class, "Renamed", 2).upcast("Renamed", 1, json -> null).build();
    assertThatThrownBy(() -> nulls.decode(stored("Renamed", 1, "{}"))).isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining("returned null");
  }

  @Test
  void upcastersThatGoRoundInACycleAreNamedAsSuch() {
    JsonEventCodec codec = JsonEventCodec.builder().register(Renamed.class, "Renamed", 3)
        .upcast("Renamed", 1, json -> Upcast.to("Older", 1, json))
        .upcast("Older", 1, json -> Upcast.to("Renamed", 1, json)).build();

    assertThatThrownBy(() -> codec.decode(stored("Renamed", 1, "{}"))).isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining("cycle");
  }

  @Test
  void anUpcasterThatSkipsTheCurrentVersionBlamesTheUpcastersNotTheWriter() {
    JsonEventCodec codec = JsonEventCodec.builder().register(Renamed.class, "Renamed", 3)
        .upcast("Renamed", 2, json -> Upcast.to("Renamed", 4, json)).build();

    assertThatThrownBy(() -> codec.decode(stored("Renamed", 2, "{}"))).isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining("stored as 'Renamed' v2").hasMessageContaining("check the upcasters")
        .hasMessageNotContaining("upgrade this reader");
  }

  @Test
  void anUpcasterFromTheCurrentVersionWouldNeverRunAndIsRefused() {
    JsonEventCodec.Builder builder = JsonEventCodec.builder().register(Renamed.class, "Renamed", 2)
        .upcast("Renamed", 2, json -> Upcast.to("Renamed", 3, json));

    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("would never run");
  }
}
