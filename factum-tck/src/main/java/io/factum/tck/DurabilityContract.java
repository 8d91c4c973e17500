package io.factum.tck;

import static io.factum.tck.Fixtures.assertDensePositions;
import static io.factum.tck.Fixtures.event;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.api.WrongExpectedVersionException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a durable store keeps across a close and reopen: everything, including idempotency. */
public interface DurabilityContract extends StoreUnderTest {

  /** Closes the current store and opens the same storage again; {@link #store()} then returns it. */
  void reopen() throws Exception;

  @Test
  default void everythingSurvivesAReopenFieldForField() throws Exception {
    String a = stream("Order");
    String b = stream("Invoice");
    store().append(a, ExpectedVersion.NO_STREAM, events(3));
    store().append(b, ExpectedVersion.NO_STREAM, EventData.binary("Blob", new byte[] {0, 1, 2, (byte) 255}, "application/octet-stream"));
    store().append(a, ExpectedVersion.exactly(3), EventData.json("Big", "{\"x\":[1,2,3]}").withMetadata("{\"user_id\":\"u\"}").withSchemaVersion(2));
    List<RecordedEvent> before = store().readAll(0, 100);

    reopen();

    assertThat(store().readAll(0, 100)).containsExactlyElementsOf(before);
    assertThat(store().headPosition()).isEqualTo(5);
    assertThat(store().streamVersion(a)).hasValue(4);
    assertThat(store().streamVersion(b)).hasValue(1);
    assertThat(store().readStreamBackward(a, Long.MAX_VALUE, 10)).extracting(RecordedEvent::version).containsExactly(4L, 3L, 2L, 1L);
    assertThat(store().readAll(0, 100, EventFilter.categories("Invoice"))).hasSize(1);
  }

  @Test
  default void versionsAndPositionsContinueAfterAReopen() throws Exception {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(2));
    reopen();

    AppendResult next = store().append(s, ExpectedVersion.exactly(2), events(2));

    assertThat(next).isEqualTo(AppendResult.written(s, 3, 4, 3, 4));
    WrongExpectedVersionException stale = catchThrowableOfType(WrongExpectedVersionException.class,
        () -> store().append(s, ExpectedVersion.exactly(2), events(1)));
    assertThat(stale.actualVersion()).isEqualTo(4);
    assertDensePositions(store().readAll(0, 10), 1);
  }

  @Test
  default void idempotencySurvivesAReopen() throws Exception {
    String s = stream("Order");
    List<EventData> batch = events(3);
    AppendResult original = store().append(s, ExpectedVersion.NO_STREAM, batch);
    EventData lone = event("Lone", 1);
    store().append(stream("Other"), ExpectedVersion.ANY, lone);
    reopen();

    assertThat(store().append(s, ExpectedVersion.NO_STREAM, batch)).isEqualTo(original.asRetry());
    catchThrowableOfType(IdempotencyConflictException.class, () -> store().append(s, ExpectedVersion.ANY, lone));
    assertThat(store().headPosition()).isEqualTo(4);
  }

  @Test
  default void manyReopensInARowLoseNothing() throws Exception {
    List<String> streams = List.of(stream("A"), stream("B"), stream("C"));
    int total = 0;
    for (int round = 0; round < 5; round++) {
      for (int k = 0; k < 20; k++) {
        store().append(streams.get(k % 3), ExpectedVersion.ANY, events(1 + k % 4, total));
        total += 1 + k % 4;
      }
      reopen();
      assertThat(store().headPosition()).isEqualTo(total);
    }
    List<RecordedEvent> all = store().readAll(0, 10_000);
    assertThat(all).hasSize(total);
    assertDensePositions(all, 1);
    for (String s : streams) {
      List<RecordedEvent> events = store().readStream(s, 1, 10_000);
      for (int k = 0; k < events.size(); k++) {
        assertThat(events.get(k).version()).isEqualTo(k + 1);
      }
    }
  }

  @Test
  default void checkpointsAndSnapshotsSurviveAReopen() throws Exception {
    store().checkpoints().save("projection-a", 17);
    store().checkpoints().save("projection-b", 3);
    store().snapshots().save(io.factum.api.Snapshot.of("Order-1", "OrderState", 2, 40, "{\"total\":5000}"));
    store().checkpoints().delete("projection-b");
    reopen();

    assertThat(store().checkpoints().all()).containsExactly(java.util.Map.entry("projection-a", 17L));
    io.factum.api.Snapshot s = store().snapshots().load("Order-1").orElseThrow();
    assertThat(s.version()).isEqualTo(40);
    assertThat(s.schemaVersion()).isEqualTo(2);
    Fixtures.assertSameJson(s.data(), "{\"total\":5000}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  @Timeout(120)
  default void aSubscriptionResumesAfterAReopenWithoutGapOrDuplicate() throws Exception {
    store().append(stream("Order"), ExpectedVersion.ANY, events(10));
    Recorder first = new Recorder();
    long resume;
    try (Subscription sub = store().subscribeToAll(0, EventFilter.ALL, first)) {
      first.awaitCount(10);
      org.awaitility.Awaitility.await().until(() -> sub.lastPosition() == 10);
      resume = sub.lastPosition();
    }
    reopen();
    store().append(stream("Order"), ExpectedVersion.ANY, events(5));
    Recorder second = new Recorder();
    try (Subscription sub = store().subscribeToAll(resume, EventFilter.ALL, second)) {
      List<RecordedEvent> all = new ArrayList<>(first.events());
      all.addAll(second.awaitCount(5));
      assertThat(all).hasSize(15);
      assertDensePositions(all, 1);
    }
  }
}
