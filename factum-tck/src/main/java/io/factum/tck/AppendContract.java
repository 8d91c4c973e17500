package io.factum.tck;

import static io.factum.tck.Fixtures.assertSameJson;
import static io.factum.tck.Fixtures.event;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Appends and what they store: every field round-trips, versions are dense from 1. */
public interface AppendContract extends StoreUnderTest {

  @Test
  default void appendedEventReadsBackWithEveryField() {
    String streamId = stream("Order");
    UUID id = UUID.randomUUID();
    String data = "{\"customer_id\":\"cust-1\",\"total_cents\":5000,\"items\":[{\"sku\":\"A\",\"qty\":2}],\"note\":\"caf\u00e9 \u2603 \ud83d\ude00\"}";
    String metadata = "{\"correlation_id\":\"req-xyz\",\"causation_id\":\"evt-prev\",\"user_id\":\"user-1\"}";
    EventData sent = EventData.json("OrderPlaced", data).withId(id).withMetadata(metadata).withSchemaVersion(3);
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    AppendResult result = store().append(streamId, ExpectedVersion.NO_STREAM, List.of(sent));

    Instant after = Instant.now().plusMillis(1);
    assertThat(result).isEqualTo(new AppendResult(streamId, 1, 1, 1, 1, false));
    List<RecordedEvent> read = store().readStream(streamId, 1, 10);
    assertThat(read).hasSize(1);
    RecordedEvent e = read.get(0);
    assertThat(e.eventId()).isEqualTo(id);
    assertThat(e.streamId()).isEqualTo(streamId);
    assertThat(e.eventType()).isEqualTo("OrderPlaced");
    assertThat(e.version()).isEqualTo(1);
    assertThat(e.schemaVersion()).isEqualTo(3);
    assertSameJson(e.data(), data.getBytes(StandardCharsets.UTF_8));
    assertSameJson(e.metadata(), metadata.getBytes(StandardCharsets.UTF_8));
    assertThat(e.contentType()).isEqualTo(EventData.JSON);
    assertThat(e.globalPosition()).isEqualTo(1);
    assertThat(e.createdAt()).isBetween(before, after);
    assertThat(e.category()).isEqualTo("Order");
    assertThat(store().readAll(0, 10)).containsExactly(e);
  }

  @Test
  default void binaryPayloadRoundTripsByteForByte() {
    String streamId = stream("Blob");
    byte[] bytes = new byte[512];
    for (int k = 0; k < bytes.length; k++) {
      bytes[k] = (byte) k;
    }
    store().append(streamId, ExpectedVersion.ANY, EventData.binary("BlobStored", bytes, "application/octet-stream"));

    RecordedEvent e = store().readStream(streamId, 1, 1).get(0);
    assertThat(e.contentType()).isEqualTo("application/octet-stream");
    assertThat(e.data()).isEqualTo(bytes);
    assertThat(e.isJson()).isFalse();
  }

  @Test
  default void eventsWithoutIdGetDistinctTimeOrderedUuidV7() {
    String streamId = stream("Order");
    store().append(streamId, ExpectedVersion.ANY, EventData.json("A", "{}"), EventData.json("B", "{}"), EventData.json("C", "{}"));

    List<RecordedEvent> read = store().readStream(streamId, 1, 10);
    Set<UUID> ids = new HashSet<>();
    for (RecordedEvent e : read) {
      assertThat(e.eventId().version()).isEqualTo(7);
      ids.add(e.eventId());
    }
    assertThat(ids).hasSize(3);
    assertThat(read.get(0).eventId().compareTo(read.get(2).eventId())).isNegative();
  }

  @Test
  default void missingMetadataIsStoredAsEmptyObject() {
    String streamId = stream("Order");
    store().append(streamId, ExpectedVersion.ANY, EventData.json("A", "{\"x\":1}"));

    assertSameJson(store().readStream(streamId, 1, 1).get(0).metadata(), "{}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  default void anyJsonValueIsAcceptedAsData() {
    String streamId = stream("Json");
    List<String> values = List.of("[1,2,3]", "\"text\"", "42", "-1.5e3", "true", "null", "{}");
    for (String v : values) {
      store().append(streamId, ExpectedVersion.ANY, EventData.json("Value", v));
    }
    List<RecordedEvent> read = store().readStream(streamId, 1, 100);
    assertThat(read).hasSize(values.size());
    for (int k = 0; k < values.size(); k++) {
      assertSameJson(read.get(k).data(), values.get(k).getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  default void versionsAreDenseFromOneAcrossAppends() {
    String streamId = stream("Order");
    AppendResult a = store().append(streamId, ExpectedVersion.ANY, events(1, 1));
    AppendResult b = store().append(streamId, ExpectedVersion.ANY, events(3, 2));
    AppendResult c = store().append(streamId, ExpectedVersion.ANY, events(2, 5));

    assertThat(List.of(a.firstVersion(), a.lastVersion(), b.firstVersion(), b.lastVersion(), c.firstVersion(), c.lastVersion()))
        .containsExactly(1L, 1L, 2L, 4L, 5L, 6L);
    List<RecordedEvent> read = store().readStream(streamId, 1, 100);
    assertThat(read).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(read).extracting(Fixtures::n).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(store().streamVersion(streamId)).hasValue(6);
  }

  @Test
  default void eachStreamHasItsOwnVersions() {
    String one = stream("Order");
    String two = stream("Order");
    store().append(one, ExpectedVersion.ANY, events(3));
    AppendResult r = store().append(two, ExpectedVersion.ANY, events(2));

    assertThat(r.firstVersion()).isEqualTo(1);
    assertThat(r.lastVersion()).isEqualTo(2);
    assertThat(store().streamVersion(one)).hasValue(3);
    assertThat(store().streamVersion(two)).hasValue(2);
  }

  @Test
  default void emptyStoreHasHeadZeroAndNoStreams() {
    assertThat(store().headPosition()).isZero();
    assertThat(store().streamVersion("Order-none")).isEmpty();
    assertThat(store().readAll(0, 10)).isEmpty();
  }

  @Test
  default void largestAllowedEventIsStored() {
    String streamId = stream("Big");
    int max = store().limits().maxEventBytes();
    String padding = "x".repeat(max - "{\"p\":\"\"}".length() - 2);
    EventData big = EventData.json("Big", "{\"p\":\"" + padding + "\"}");
    assertThat(big.sizeInBytes()).isEqualTo(max);

    store().append(streamId, ExpectedVersion.ANY, big);

    assertThat(Fixtures.tree(store().readStream(streamId, 1, 1).get(0).data()).get("p").asText()).hasSize(padding.length());
  }

  @Test
  default void closedStoreRefusesUseAndCloseIsIdempotent() {
    String streamId = stream("Order");
    store().append(streamId, ExpectedVersion.ANY, event("A", 1));
    store().close();
    store().close();

    assertThatThrownBy(() -> store().append(streamId, ExpectedVersion.ANY, event("A", 2))).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store().readStream(streamId, 1, 1)).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store().readAll(0, 1)).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store().headPosition()).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store().subscribeToAll(0, io.factum.api.EventFilter.ALL, e -> {}))
        .isInstanceOf(StoreClosedException.class);
  }
}
