package io.factum.tck;

import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.factum.api.AppendResult;
import io.factum.api.ExpectedVersion;
import io.factum.api.WrongExpectedVersionException;
import org.junit.jupiter.api.Test;

/** Optimistic concurrency: every {@link ExpectedVersion} case, and a mismatch writes nothing. */
public interface ExpectedVersionContract extends StoreUnderTest {

  @Test
  default void anyAppendsToNewAndExistingStreams() {
    String s = stream("Order");
    assertThat(store().append(s, ExpectedVersion.ANY, events(2)).lastVersion()).isEqualTo(2);
    assertThat(store().append(s, ExpectedVersion.ANY, events(1)).lastVersion()).isEqualTo(3);
  }

  @Test
  default void noStreamCreatesTheStream() {
    String s = stream("Order");
    AppendResult r = store().append(s, ExpectedVersion.NO_STREAM, events(2));
    assertThat(r.firstVersion()).isEqualTo(1);
    assertThat(store().streamVersion(s)).hasValue(2);
  }

  @Test
  default void noStreamOnExistingStreamFailsWithItsVersionAndWritesNothing() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(3));

    WrongExpectedVersionException e = catchThrowableOfType(WrongExpectedVersionException.class,
        () -> store().append(s, ExpectedVersion.NO_STREAM, events(1)));

    assertThat(e.streamId()).isEqualTo(s);
    assertThat(e.expected()).isEqualTo(ExpectedVersion.NO_STREAM);
    assertThat(e.actualVersion()).isEqualTo(3);
    assertThat(store().streamVersion(s)).hasValue(3);
    assertThat(store().headPosition()).isEqualTo(3);
  }

  @Test
  default void exactlyZeroMeansNoStream() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.exactly(0), events(1));
    WrongExpectedVersionException e = catchThrowableOfType(WrongExpectedVersionException.class,
        () -> store().append(s, ExpectedVersion.exactly(0), events(1)));
    assertThat(e.actualVersion()).isEqualTo(1);
  }

  @Test
  default void streamExistsOnAbsentStreamFailsWithMinusOne() {
    String s = stream("Order");

    WrongExpectedVersionException e = catchThrowableOfType(WrongExpectedVersionException.class,
        () -> store().append(s, ExpectedVersion.STREAM_EXISTS, events(1)));

    assertThat(e.actualVersion()).isEqualTo(-1);
    assertThat(store().streamVersion(s)).isEmpty();
    assertThat(store().headPosition()).isZero();
  }

  @Test
  default void streamExistsOnExistingStreamAppends() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(1));
    assertThat(store().append(s, ExpectedVersion.STREAM_EXISTS, events(1)).firstVersion()).isEqualTo(2);
  }

  @Test
  default void exactVersionAppendsWhenItMatches() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(2));
    AppendResult r = store().append(s, ExpectedVersion.exactly(2), events(2));
    assertThat(r.firstVersion()).isEqualTo(3);
    assertThat(r.lastVersion()).isEqualTo(4);
  }

  @Test
  default void staleExactVersionFailsWithTheActualVersionAndWritesNothing() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(3));

    WrongExpectedVersionException behind = catchThrowableOfType(WrongExpectedVersionException.class,
        () -> store().append(s, ExpectedVersion.exactly(2), events(2)));
    WrongExpectedVersionException ahead = catchThrowableOfType(WrongExpectedVersionException.class,
        () -> store().append(s, ExpectedVersion.exactly(7), events(2)));

    assertThat(behind.expected()).isEqualTo(ExpectedVersion.exactly(2));
    assertThat(behind.actualVersion()).isEqualTo(3);
    assertThat(ahead.actualVersion()).isEqualTo(3);
    assertThat(store().streamVersion(s)).hasValue(3);
    assertThat(store().readAll(0, 100)).hasSize(3);
  }

  @Test
  default void exactVersionOnAbsentStreamFailsWithMinusOne() {
    String s = stream("Order");

    WrongExpectedVersionException e = catchThrowableOfType(WrongExpectedVersionException.class,
        () -> store().append(s, ExpectedVersion.exactly(1), events(1)));

    assertThat(e.actualVersion()).isEqualTo(-1);
    assertThat(store().streamVersion(s)).isEmpty();
  }

  @Test
  default void failedCheckLeavesOtherStreamsAndPositionsUntouched() {
    String a = stream("Order");
    String b = stream("Order");
    store().append(a, ExpectedVersion.ANY, events(2));
    catchThrowableOfType(WrongExpectedVersionException.class, () -> store().append(b, ExpectedVersion.exactly(5), events(4)));

    AppendResult next = store().append(b, ExpectedVersion.NO_STREAM, events(1));

    assertThat(next.firstPosition()).as("a failed append must not consume positions").isEqualTo(3);
  }
}
