package io.factum.tck;

import static io.factum.tck.Fixtures.assertDensePositions;
import static io.factum.tck.Fixtures.event;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidEventException;
import io.factum.api.RecordedEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stream reads forward and backward, {@code $all} reads with paging and each filter. */
public interface ReadContract extends StoreUnderTest {

  @Test
  default void readStreamStartsAtFromVersionInclusive() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(5));
    assertThat(store().readStream(s, 3, 10)).extracting(RecordedEvent::version).containsExactly(3L, 4L, 5L);
  }

  @Test
  default void readStreamReturnsAtMostMaxCount() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(5));
    assertThat(store().readStream(s, 2, 2)).extracting(RecordedEvent::version).containsExactly(2L, 3L);
  }

  @Test
  default void readingAnAbsentStreamOrPastItsEndIsEmpty() {
    String s = stream("Order");
    assertThat(store().readStream(s, 1, 10)).isEmpty();
    assertThat(store().readStreamBackward(s, Long.MAX_VALUE, 10)).isEmpty();
    store().append(s, ExpectedVersion.ANY, events(2));
    assertThat(store().readStream(s, 3, 10)).isEmpty();
    assertThat(store().readStream(s, Long.MAX_VALUE, 10)).isEmpty();
  }

  @Test
  default void readStreamBackwardFromTheEnd() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(5));
    assertThat(store().readStreamBackward(s, Long.MAX_VALUE, 3)).extracting(RecordedEvent::version).containsExactly(5L, 4L, 3L);
  }

  @Test
  default void readStreamBackwardFromTheMiddleIsInclusive() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(5));
    assertThat(store().readStreamBackward(s, 3, 10)).extracting(RecordedEvent::version).containsExactly(3L, 2L, 1L);
    assertThat(store().readStreamBackward(s, 1, 10)).extracting(RecordedEvent::version).containsExactly(1L);
  }

  @Test
  default void longStreamPagesForwardAndBackwardWithoutLoss() {
    String s = stream("Long");
    for (int k = 0; k < 10; k++) {
      store().append(s, ExpectedVersion.ANY, events(100, k * 100 + 1));
    }
    List<RecordedEvent> forward = new ArrayList<>();
    for (long from = 1; ; ) {
      List<RecordedEvent> page = store().readStream(s, from, 64);
      if (page.isEmpty()) {
        break;
      }
      forward.addAll(page);
      from = page.get(page.size() - 1).version() + 1;
    }
    List<RecordedEvent> backward = new ArrayList<>();
    for (long from = Long.MAX_VALUE; from >= 1; ) {
      List<RecordedEvent> page = store().readStreamBackward(s, from, 64);
      if (page.isEmpty()) {
        break;
      }
      backward.addAll(page);
      from = page.get(page.size() - 1).version() - 1;
    }
    assertThat(forward).hasSize(1000);
    assertThat(forward).extracting(Fixtures::n).isSorted().doesNotHaveDuplicates();
    assertThat(backward).hasSize(1000);
    assertThat(backward.get(0).version()).isEqualTo(1000);
    assertThat(backward.get(999).version()).isEqualTo(1);
  }

  @Test
  default void readAllIsExclusiveOfTheAfterPosition() {
    store().append(stream("Order"), ExpectedVersion.ANY, events(5));
    assertThat(store().readAll(2, 10)).extracting(RecordedEvent::globalPosition).containsExactly(3L, 4L, 5L);
    assertThat(store().readAll(5, 10)).isEmpty();
    assertThat(store().readAll(500, 10)).isEmpty();
  }

  @Test
  default void readAllPagesThroughEverythingInOrder() {
    for (int k = 0; k < 25; k++) {
      store().append(stream("S" + (k % 4)), ExpectedVersion.ANY, events(1 + k % 7));
    }
    long head = store().headPosition();
    List<RecordedEvent> all = new ArrayList<>();
    long after = 0;
    while (true) {
      List<RecordedEvent> page = store().readAll(after, 9);
      if (page.isEmpty()) {
        break;
      }
      assertThat(page.size()).isLessThanOrEqualTo(9);
      all.addAll(page);
      after = page.get(page.size() - 1).globalPosition();
    }
    assertThat(all).hasSize((int) head);
    assertDensePositions(all, 1);
  }

  @Test
  default void readAllFiltersByCategory() {
    String order = stream("Order");
    store().append(order, ExpectedVersion.ANY, events(2));
    store().append(stream("Customer"), ExpectedVersion.ANY, events(2));
    store().append(stream("OrderLine"), ExpectedVersion.ANY, events(1));
    store().append(order, ExpectedVersion.ANY, events(1));

    List<RecordedEvent> read = store().readAll(0, 100, EventFilter.categories("Order"));

    assertThat(read).extracting(RecordedEvent::globalPosition).containsExactly(1L, 2L, 6L);
    assertThat(store().readAll(0, 100, EventFilter.categories("Order", "Customer"))).hasSize(5);
  }

  @Test
  default void readAllFiltersByEventType() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, event("OrderPlaced", 1), event("OrderShipped", 2), event("OrderPlaced", 3));
    store().append(stream("Order"), ExpectedVersion.ANY, event("OrderCancelled", 4));

    assertThat(store().readAll(0, 100, EventFilter.eventTypes("OrderPlaced"))).extracting(Fixtures::n).containsExactly(1, 3);
    assertThat(store().readAll(0, 100, EventFilter.eventTypes("OrderShipped", "OrderCancelled"))).extracting(Fixtures::n)
        .containsExactly(2, 4);
    assertThat(store().readAll(0, 100, EventFilter.eventTypes("Nothing"))).isEmpty();
  }

  @Test
  default void readAllFiltersByStreamPrefix() {
    store().append("Order-eu-1", ExpectedVersion.ANY, event("A", 1));
    store().append("Order-us-1", ExpectedVersion.ANY, event("A", 2));
    store().append("Order-eu-2", ExpectedVersion.ANY, event("A", 3));

    assertThat(store().readAll(0, 100, EventFilter.streamPrefixes("Order-eu-"))).extracting(Fixtures::n).containsExactly(1, 3);
  }

  @Test
  default void filterDimensionsCombineWithAnd() {
    store().append("Order-1", ExpectedVersion.ANY, event("Placed", 1), event("Shipped", 2));
    store().append("Invoice-1", ExpectedVersion.ANY, event("Placed", 3));

    EventFilter filter = EventFilter.categories("Order").withEventTypes("Placed");

    assertThat(store().readAll(0, 100, filter)).extracting(Fixtures::n).containsExactly(1);
  }

  @Test
  default void filteredReadAllPagesAndResumesAfterTheLastMatch() {
    for (int k = 1; k <= 40; k++) {
      store().append(stream(k % 3 == 0 ? "Match" : "Other"), ExpectedVersion.ANY, event("E", k));
    }
    List<Integer> seen = new ArrayList<>();
    long after = 0;
    while (true) {
      List<RecordedEvent> page = store().readAll(after, 4, EventFilter.categories("Match"));
      if (page.isEmpty()) {
        break;
      }
      assertThat(page).hasSizeLessThanOrEqualTo(4);
      page.forEach(e -> seen.add(Fixtures.n(e)));
      after = page.get(page.size() - 1).globalPosition();
    }
    assertThat(seen).containsExactly(3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39);
  }

  @Test
  default void categoryIsTheTextBeforeTheFirstDash() {
    store().append("Order-a-b", ExpectedVersion.ANY, event("A", 1));
    store().append("counter", ExpectedVersion.ANY, event("A", 2));

    assertThat(store().readAll(0, 10, EventFilter.categories("Order"))).extracting(Fixtures::n).containsExactly(1);
    assertThat(store().readAll(0, 10, EventFilter.categories("counter"))).extracting(Fixtures::n).containsExactly(2);
    assertThat(store().readAll(0, 10, EventFilter.categories("Order-a"))).isEmpty();
  }

  @Test
  default void readsRejectInvalidArguments() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(1));
    assertThatThrownBy(() -> store().readStream(s, 0, 10)).isInstanceOf(InvalidEventException.class).hasMessageContaining("fromVersion");
    assertThatThrownBy(() -> store().readStream(s, 1, 0)).isInstanceOf(InvalidEventException.class).hasMessageContaining("maxCount");
    assertThatThrownBy(() -> store().readStreamBackward(s, 0, 1)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().readStream("", 1, 1)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().readStream(null, 1, 1)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().readAll(-1, 10)).isInstanceOf(InvalidEventException.class).hasMessageContaining("afterPosition");
    assertThatThrownBy(() -> store().readAll(0, -5)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().readAll(0, 10, null)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().streamVersion("a\u0000b")).isInstanceOf(InvalidEventException.class);
  }

  @Test
  default void reservedStreamIdsCanBeReadAndAreEmpty() {
    assertThat(store().readStream("$system", 1, 10)).isEmpty();
    assertThat(store().streamVersion("$system")).isEmpty();
  }
}
