package io.factum.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The API's own rules: values, names, expected versions, filters, append validation. */
class ValuesTest {

  @Test
  void expectedVersionParsesAndPrintsItsWireForm() {
    assertThat(ExpectedVersion.parse("any")).isSameAs(ExpectedVersion.ANY);
    assertThat(ExpectedVersion.parse(" NO_STREAM ")).isSameAs(ExpectedVersion.NO_STREAM);
    assertThat(ExpectedVersion.parse("stream_exists")).isSameAs(ExpectedVersion.STREAM_EXISTS);
    assertThat(ExpectedVersion.parse("0")).isSameAs(ExpectedVersion.NO_STREAM);
    assertThat(ExpectedVersion.parse("42")).isEqualTo(ExpectedVersion.exactly(42));
    for (ExpectedVersion v : List.of(ExpectedVersion.ANY, ExpectedVersion.NO_STREAM, ExpectedVersion.STREAM_EXISTS, ExpectedVersion.exactly(7))) {
      assertThat(ExpectedVersion.parse(v.toString())).isEqualTo(v);
    }
    for (String bad : new String[] {"", "-1", "latest", "1.5", "99999999999999999999", null}) {
      assertThatThrownBy(() -> ExpectedVersion.parse(bad)).as("'%s'", bad).isInstanceOf(InvalidEventException.class);
    }
  }

  @Test
  void expectedVersionChecksTheCurrentVersion() {
    assertThat(ExpectedVersion.ANY.isSatisfiedBy(0)).isTrue();
    assertThat(ExpectedVersion.ANY.isSatisfiedBy(9)).isTrue();
    assertThat(ExpectedVersion.NO_STREAM.isSatisfiedBy(0)).isTrue();
    assertThat(ExpectedVersion.NO_STREAM.isSatisfiedBy(1)).isFalse();
    assertThat(ExpectedVersion.STREAM_EXISTS.isSatisfiedBy(0)).isFalse();
    assertThat(ExpectedVersion.STREAM_EXISTS.isSatisfiedBy(3)).isTrue();
    assertThat(ExpectedVersion.exactly(3).isSatisfiedBy(3)).isTrue();
    assertThat(ExpectedVersion.exactly(3).isSatisfiedBy(4)).isFalse();
  }

  @Test
  void categoryIsTheTextBeforeTheFirstDash() {
    assertThat(StreamIds.categoryOf("Order-abc-1")).isEqualTo("Order");
    assertThat(StreamIds.categoryOf("counter")).isEqualTo("counter");
    assertThat(StreamIds.categoryOf("-x")).isEmpty();
  }

  @Test
  void invalidNamesGetMessagesThatSayWhatIsWrong() {
    assertThatThrownBy(() -> StreamIds.requireValid("a\u0001b")).hasMessageContaining("U+0001");
    assertThatThrownBy(() -> StreamIds.requireValid("x".repeat(300))).hasMessageContaining("longer than 255");
    assertThatThrownBy(() -> StreamIds.requireWritable("$ce-Order")).hasMessageContaining("reserved");
    assertThatThrownBy(() -> EventData.json("Bad\nType", "{}")).hasMessageContaining("U+000A");
  }

  @Test
  void halfASurrogatePairIsRefusedNotTurnedIntoAQuestionMark() {
    String cut = "{\"a\":\"\uD83D\"}"; // an emoji cut in two by substring
    assertThatThrownBy(() -> EventData.json("A", cut)).isInstanceOf(InvalidEventException.class).hasMessageContaining("surrogate");
    assertThatThrownBy(() -> EventData.json("A", "{}").withMetadata("{\"a\":\"x\uDE00\"}"))
        .isInstanceOf(InvalidEventException.class).hasMessageContaining("surrogate");
    assertThatThrownBy(() -> Snapshot.of("A-1", "A", 1, 1, cut)).isInstanceOf(InvalidEventException.class)
        .hasMessageContaining("surrogate");

    assertThat(EventData.json("A", "{\"a\":\"\uD83D\uDE00 ?\"}").dataAsString()).isEqualTo("{\"a\":\"\uD83D\uDE00 ?\"}");
    assertThat(EventData.json("A", "{\"q\":\"why?\"}").dataAsString()).isEqualTo("{\"q\":\"why?\"}");
    for (int pad = 0; pad < 17; pad++) { // the half pair at every offset of an eight-byte word, and in the tail
      String padding = "x".repeat(pad);
      assertThatThrownBy(() -> EventData.json("A", "{\"a\":\"" + padding + "\uDE00" + padding + "\"}"))
          .isInstanceOf(InvalidEventException.class);
      assertThat(EventData.json("A", "{\"a\":\"" + padding + "?" + padding + "\"}").dataAsString()).contains(padding + "?");
    }
  }

  @Test
  void eventDataIsImmutable() {
    byte[] data = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    EventData e = new EventData(null, "A", 1, data, null, null);
    data[2] = 'X';
    e.data()[2] = 'Y';
    assertThat(e.dataAsString()).isEqualTo("{\"a\":1}");
    assertThat(e.metadataAsString()).isEqualTo("{}");
    assertThat(e.contentType()).isEqualTo(EventData.JSON);
    assertThat(e.dataBuffer().isReadOnly()).isTrue();
  }

  @Test
  void eventDataEqualityComparesContent() {
    UUID id = UUID.randomUUID();
    assertThat(EventData.json("A", "{}").withId(id)).isEqualTo(EventData.json("A", "{}").withId(id));
    assertThat(EventData.json("A", "{}").withId(id)).isNotEqualTo(EventData.json("A", "[]").withId(id));
  }

  @Test
  void jsonContentTypeIgnoresParametersAndCase() {
    assertThat(EventData.isJson("application/json; charset=utf-8")).isTrue();
    assertThat(EventData.isJson("Application/JSON")).isTrue();
    assertThat(EventData.isJson("application/octet-stream")).isFalse();
    assertThatThrownBy(() -> new EventData(null, "A", 1, "not json".getBytes(StandardCharsets.UTF_8), null, "application/json;charset=utf-8"))
        .isInstanceOf(InvalidEventException.class);
  }

  @Test
  void filterDimensionsAreAlternativesWithinAndConjunctiveAcross() {
    EventFilter f = EventFilter.categories("Order", "Invoice").withEventTypes("Placed");
    assertThat(f.matches("Order-1", "Placed")).isTrue();
    assertThat(f.matches("Invoice-1", "Placed")).isTrue();
    assertThat(f.matches("Order-1", "Shipped")).isFalse();
    assertThat(f.matches("Customer-1", "Placed")).isFalse();
    assertThat(EventFilter.streamPrefixes("Order-eu").matches("Order-eu-1", "X")).isTrue();
    assertThat(EventFilter.ALL.isAll()).isTrue();
    assertThat(EventFilter.categories("A").categories()).isEqualTo(Set.of("A"));
    assertThatThrownBy(() -> EventFilter.categories("")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> EventFilter.eventTypes((String) null)).isInstanceOf(InvalidEventException.class);
  }

  @Test
  void appendValidationCountsDataAndMetadataBytes() {
    StoreLimits limits = new StoreLimits(10, 15);
    EventData eight = EventData.json("A", "\"123456\""); // 8 data + 2 metadata = 10
    assertThat(AppendRequest.validate("S-1", ExpectedVersion.ANY, List.of(eight), limits).totalBytes()).isEqualTo(10);
    assertThatThrownBy(() -> AppendRequest.validate("S-1", ExpectedVersion.ANY, List.of(eight, eight), limits))
        .hasMessageContaining("per append");
    assertThatThrownBy(() -> AppendRequest.validate("S-1", ExpectedVersion.ANY, List.of(EventData.json("A", "\"1234567\"")), limits))
        .hasMessageContaining("per event");
    assertThatThrownBy(() -> new StoreLimits(10, 5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void appendRequestKeepsGivenIdsAndFillsMissingOnes() {
    UUID given = UUID.randomUUID();
    UUID filled = UUID.randomUUID();
    AppendRequest r = AppendRequest.validate("S-1", ExpectedVersion.ANY,
        List.of(EventData.json("A", "{}").withId(given), EventData.json("B", "{}")), StoreLimits.DEFAULT);
    assertThat(r.hasEventsWithoutId()).isTrue();
    assertThat(r.eventsWithIds(() -> filled)).extracting(EventData::eventId).containsExactly(given, filled);
  }

  @Test
  void appendResultChecksItsRanges() {
    assertThat(AppendResult.written("S-1", 1, 3, 10, 12).eventCount()).isEqualTo(3);
    assertThatThrownBy(() -> AppendResult.written("S-1", 0, 3, 10, 12)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AppendResult.written("S-1", 3, 2, 10, 12)).isInstanceOf(IllegalArgumentException.class);
  }
}
