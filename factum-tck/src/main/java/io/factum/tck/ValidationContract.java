package io.factum.tck;

import static io.factum.tck.Fixtures.event;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.EventData;
import io.factum.api.EventTooLargeException;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidEventException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input is rejected with {@link InvalidEventException} and changes nothing. */
public interface ValidationContract extends StoreUnderTest {

  private void assertNothingWritten() {
    assertThat(store().headPosition()).as("head position after a rejected append").isZero();
    assertThat(store().readAll(0, 10)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("io.factum.tck.Fixtures#invalidStreamIds")
  default void invalidStreamIdIsRejected(String streamId) {
    assertThatThrownBy(() -> store().append(streamId, ExpectedVersion.ANY, events(1)))
        .isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("tream id");
    assertNothingWritten();
  }

  @Test
  default void nullStreamIdIsRejected() {
    assertThatThrownBy(() -> store().append(null, ExpectedVersion.ANY, events(1))).isInstanceOf(InvalidEventException.class);
    assertNothingWritten();
  }

  @Test
  default void streamIdOf255CharactersIncludingSupplementaryOnesIsAccepted() {
    String id = "Order-" + "\ud83d\ude00".repeat(249);
    assertThat(id.codePointCount(0, id.length())).isEqualTo(255);
    store().append(id, ExpectedVersion.ANY, events(1));
    assertThat(store().readStream(id, 1, 1)).hasSize(1);
    assertThat(store().readStream(id, 1, 1).get(0).streamId()).isEqualTo(id);
  }

  @Test
  default void emptyOrNullBatchIsRejected() {
    String s = stream("Order");
    assertThatThrownBy(() -> store().append(s, ExpectedVersion.ANY, List.of()))
        .isInstanceOf(InvalidEventException.class).hasMessageContaining("at least one event");
    assertThatThrownBy(() -> store().append(s, ExpectedVersion.ANY, (List<EventData>) null)).isInstanceOf(InvalidEventException.class);
    assertNothingWritten();
  }

  @Test
  default void nullEventInABatchIsRejectedAndNothingOfTheBatchIsWritten() {
    List<EventData> batch = new ArrayList<>(events(2));
    batch.add(null);
    assertThatThrownBy(() -> store().append(stream("Order"), ExpectedVersion.ANY, batch))
        .isInstanceOf(InvalidEventException.class).hasMessageContaining("#2");
    assertNothingWritten();
  }

  @Test
  default void missingExpectedVersionIsRejected() {
    assertThatThrownBy(() -> store().append(stream("Order"), null, events(1))).isInstanceOf(InvalidEventException.class);
    assertNothingWritten();
  }

  @Test
  default void reservedEventTypeAnywhereInTheBatchRejectsTheWholeBatch() {
    List<EventData> batch = List.of(event("A", 1), event("B", 2), EventData.json("$system", "{}"));
    assertThatThrownBy(() -> store().append(stream("Order"), ExpectedVersion.ANY, batch))
        .isInstanceOf(InvalidEventException.class).hasMessageContaining("reserved");
    assertNothingWritten();
  }

  @Test
  default void duplicateEventIdWithinOneBatchIsRejected() {
    UUID id = UUID.randomUUID();
    List<EventData> batch = List.of(EventData.json("A", "{}").withId(id), EventData.json("B", "{}").withId(id));
    assertThatThrownBy(() -> store().append(stream("Order"), ExpectedVersion.ANY, batch))
        .isInstanceOf(InvalidEventException.class).hasMessageContaining(id.toString());
    assertNothingWritten();
  }

  @Test
  default void eventOverTheSizeLimitIsRejected() {
    int max = store().limits().maxEventBytes();
    byte[] tooBig = new byte[max - 1];
    Arrays.fill(tooBig, (byte) 7);
    EventData big = EventData.binary("Big", tooBig, "application/octet-stream"); // + "{}" metadata = max + 1
    assertThat(big.sizeInBytes()).isEqualTo(max + 1);

    assertThatThrownBy(() -> store().append(stream("Order"), ExpectedVersion.ANY, event("Small", 1), big))
        .isInstanceOf(EventTooLargeException.class)
        .hasMessageContaining("limit");
    assertNothingWritten();
  }

  @Test
  default void appendOverTheSizeLimitIsRejected() {
    int perEvent = store().limits().maxEventBytes();
    long needed = store().limits().maxAppendBytes() / perEvent + 1;
    byte[] payload = new byte[perEvent - 2];
    List<EventData> batch = new ArrayList<>();
    EventData one = EventData.binary("Chunk", payload, "application/octet-stream");
    for (int k = 0; k < needed; k++) {
      batch.add(one.withId(UUID.randomUUID()));
    }

    assertThatThrownBy(() -> store().append(stream("Order"), ExpectedVersion.ANY, batch))
        .isInstanceOf(EventTooLargeException.class)
        .hasMessageContaining("per append");
    assertNothingWritten();
  }

  @Test
  default void malformedEventDataCannotBeBuilt() {
    assertThatThrownBy(() -> EventData.json("A", "{\"a\":")).isInstanceOf(InvalidEventException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> EventData.json("A", "{}").withMetadata("[1]")).isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("JSON object");
    assertThatThrownBy(() -> EventData.json("", "{}")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> EventData.json(" ", "{}")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> EventData.json("A", "{}").withSchemaVersion(0)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> new EventData(null, "A", 1, null, null, null)).isInstanceOf(InvalidEventException.class);
  }

  @Test
  default void rejectedAppendLeavesAnExistingStreamUntouched() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(2));
    UUID dup = UUID.randomUUID();
    assertThatThrownBy(() -> store().append(s, ExpectedVersion.ANY,
        EventData.json("A", "{}").withId(dup), EventData.json("A", "{}").withId(dup))).isInstanceOf(InvalidEventException.class);

    assertThat(store().streamVersion(s)).hasValue(2);
    assertThat(store().headPosition()).isEqualTo(2);
  }
}
