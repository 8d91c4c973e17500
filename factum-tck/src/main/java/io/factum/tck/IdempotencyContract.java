package io.factum.tck;

import static io.factum.tck.Fixtures.event;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.IdempotencyConflictException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Idempotent appends by event id: a retry returns the original result; a misuse of ids writes nothing. */
public interface IdempotencyContract extends StoreUnderTest {

  @Test
  default void retriedAppendReturnsTheOriginalResult() {
    String s = stream("Order");
    store().append(stream("Other"), ExpectedVersion.ANY, events(2));
    List<EventData> batch = events(3);
    AppendResult first = store().append(s, ExpectedVersion.NO_STREAM, batch);

    AppendResult retry = store().append(s, ExpectedVersion.NO_STREAM, batch);

    assertThat(first.alreadyAppended()).isFalse();
    assertThat(retry.alreadyAppended()).isTrue();
    assertThat(retry).isEqualTo(first.asRetry());
    assertThat(store().headPosition()).isEqualTo(5);
    assertThat(store().streamVersion(s)).hasValue(3);
  }

  @Test
  default void retryIsRecognisedWhateverTheExpectedVersion() {
    String s = stream("Order");
    List<EventData> batch = events(2);
    AppendResult first = store().append(s, ExpectedVersion.exactly(0), batch);
    store().append(s, ExpectedVersion.ANY, events(2));

    for (ExpectedVersion ev : List.of(ExpectedVersion.NO_STREAM, ExpectedVersion.exactly(0), ExpectedVersion.exactly(9),
        ExpectedVersion.STREAM_EXISTS, ExpectedVersion.ANY)) {
      assertThat(store().append(s, ev, batch)).as("retry with %s", ev).isEqualTo(first.asRetry());
    }
    assertThat(store().streamVersion(s)).hasValue(4);
  }

  @Test
  default void retryOfTheFirstEventsOfAnEarlierBatchIsRecognised() {
    String s = stream("Order");
    List<EventData> batch = events(3);
    store().append(s, ExpectedVersion.ANY, batch);

    AppendResult retry = store().append(s, ExpectedVersion.ANY, batch.subList(0, 2));

    assertThat(retry).isEqualTo(new AppendResult(s, 1, 2, 1, 2, true));
  }

  @Test
  default void retriesAreRecognisedForEventsWhoseIdTheStoreAssignedOnlyIfTheCallerKnowsIt() {
    String s = stream("Order");
    EventData withoutId = EventData.json("A", "{}");
    store().append(s, ExpectedVersion.ANY, withoutId);
    AppendResult second = store().append(s, ExpectedVersion.ANY, withoutId);

    assertThat(second.alreadyAppended()).as("without an id, a resend is a new event").isFalse();
    assertThat(store().streamVersion(s)).hasValue(2);
  }

  @Test
  default void partialOverlapIsRejectedAndWritesNothing() {
    String s = stream("Order");
    EventData a = event("A", 1);
    store().append(s, ExpectedVersion.ANY, a);
    EventData fresh = event("B", 2);

    IdempotencyConflictException e = catchThrowableOfType(IdempotencyConflictException.class,
        () -> store().append(s, ExpectedVersion.ANY, a, fresh));

    assertThat(e.streamId()).isEqualTo(s);
    assertThat(e.eventId()).isEqualTo(a.eventId());
    assertThat(e).hasMessageContaining("partial");
    assertThat(store().streamVersion(s)).hasValue(1);
    assertThat(store().headPosition()).isEqualTo(1);
    assertThat(store().append(s, ExpectedVersion.ANY, fresh).alreadyAppended()).as("the fresh event was not written").isFalse();
  }

  @Test
  default void idsStoredInAnotherStreamAreRejected() {
    String s = stream("Order");
    String other = stream("Order");
    List<EventData> batch = events(2);
    store().append(s, ExpectedVersion.ANY, batch);

    IdempotencyConflictException e = catchThrowableOfType(IdempotencyConflictException.class,
        () -> store().append(other, ExpectedVersion.ANY, batch));

    assertThat(e).hasMessageContaining(s);
    assertThat(store().streamVersion(other)).isEmpty();
  }

  @Test
  default void idsStoredInAnotherOrderAreRejected() {
    String s = stream("Order");
    EventData a = event("A", 1);
    EventData b = event("B", 2);
    store().append(s, ExpectedVersion.ANY, a, b);

    catchThrowableOfType(IdempotencyConflictException.class, () -> store().append(s, ExpectedVersion.ANY, b, a));

    assertThat(store().streamVersion(s)).hasValue(2);
  }

  @Test
  default void idsStoredAcrossSeparateAppendsRetryAsOneRange() {
    String s = stream("Order");
    EventData a = event("A", 1);
    EventData b = event("B", 2);
    store().append(s, ExpectedVersion.ANY, a);
    store().append(s, ExpectedVersion.ANY, b);

    AppendResult retry = store().append(s, ExpectedVersion.ANY, a, b);

    assertThat(retry).isEqualTo(new AppendResult(s, 1, 2, 1, 2, true));
  }

  @Test
  default void eventIdsAreUniqueAcrossTheStore() {
    String s = stream("Order");
    EventData a = event("A", 1);
    store().append(s, ExpectedVersion.ANY, a);
    EventData sameIdOtherContent = EventData.json("Other", "{\"x\":1}").withId(a.eventId());

    catchThrowableOfType(IdempotencyConflictException.class,
        () -> store().append(stream("Elsewhere"), ExpectedVersion.ANY, sameIdOtherContent));

    assertThat(store().headPosition()).isEqualTo(1);
  }
}
