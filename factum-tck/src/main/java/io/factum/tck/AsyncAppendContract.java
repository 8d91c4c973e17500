package io.factum.tck;

import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.failureOf;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.InvalidEventException;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.WrongExpectedVersionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code appendAsync}: the same outcomes as {@code append}, delivered in a future; appends started by
 * one thread are decided in the order they were started.
 */
public interface AsyncAppendContract extends StoreUnderTest {

  @Test
  @Timeout(120)
  default void pipelinedAppendsToOneStreamAreDecidedInTheOrderStarted() {
    String s = stream("Pipe");
    int appends = 200;
    List<CompletableFuture<AppendResult>> started = new ArrayList<>();
    for (int k = 0; k < appends; k++) {
      ExpectedVersion expected = k == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(k);
      started.add(store().appendAsync(s, expected, events(1, k + 1)));
    }

    long lastPosition = 0;
    for (int k = 0; k < appends; k++) {
      AppendResult r = started.get(k).join();
      assertThat(r.firstVersion()).as("append #%d", k).isEqualTo(k + 1);
      assertThat(r.firstPosition()).as("append #%d", k).isGreaterThan(lastPosition);
      lastPosition = r.firstPosition();
    }
    List<RecordedEvent> stored = store().readStream(s, 1, appends + 1);
    assertThat(stored).extracting(Fixtures::n).containsExactlyElementsOf(
        java.util.stream.IntStream.rangeClosed(1, appends).boxed().toList());
  }

  @Test
  default void aStaleAppendInsideAPipelineFailsAloneAndTheRestFollowOn() {
    String s = stream("Pipe");
    CompletableFuture<AppendResult> first = store().appendAsync(s, ExpectedVersion.NO_STREAM, events(2));
    CompletableFuture<AppendResult> second = store().appendAsync(s, ExpectedVersion.exactly(2), events(1));
    CompletableFuture<AppendResult> stale = store().appendAsync(s, ExpectedVersion.exactly(7), events(1));
    CompletableFuture<AppendResult> fourth = store().appendAsync(s, ExpectedVersion.exactly(3), events(2));
    CompletableFuture<AppendResult> any = store().appendAsync(s, ExpectedVersion.ANY, events(1));

    assertThat(first.join().lastVersion()).isEqualTo(2);
    assertThat(second.join().lastVersion()).isEqualTo(3);
    assertThat(failureOf(stale)).isInstanceOf(WrongExpectedVersionException.class).hasMessageContaining("at version 3");
    assertThat(fourth.join().firstVersion()).isEqualTo(4);
    assertThat(any.join().lastVersion()).isEqualTo(6);
    Fixtures.assertDensePositions(store().readStream(s, 1, 10), 1);
  }

  @Test
  default void failuresArriveInTheFutureAndWriteNothing() {
    String s = stream("Pipe");
    store().append(s, ExpectedVersion.NO_STREAM, events(2));
    long head = store().headPosition();

    CompletableFuture<AppendResult> stale = store().appendAsync(s, ExpectedVersion.exactly(1), events(1));
    CompletableFuture<AppendResult> invalid = store().appendAsync(s, ExpectedVersion.ANY, List.of());

    assertThat(failureOf(stale)).isInstanceOf(WrongExpectedVersionException.class)
        .hasMessageContaining("expected 1 but the stream is at version 2");
    assertThat(failureOf(invalid)).isInstanceOf(InvalidEventException.class);
    // callbacks see the exception itself, as append would throw it (not wrapped)
    assertThat(store().appendAsync(s, ExpectedVersion.exactly(1), events(1)).handle((r, e) -> e).join())
        .isInstanceOf(WrongExpectedVersionException.class);
    assertThat(store().appendAsync(s, ExpectedVersion.ANY, List.of()).handle((r, e) -> e).join())
        .isInstanceOf(InvalidEventException.class);
    assertThat(store().headPosition()).isEqualTo(head);
    assertThat(store().streamVersion(s)).hasValue(2);
  }

  @Test
  default void anAsyncRetryReturnsTheOriginalResult() {
    String s = stream("Pipe");
    List<EventData> batch = events(3);
    AppendResult first = store().appendAsync(s, ExpectedVersion.NO_STREAM, batch).join();

    AppendResult retry = store().appendAsync(s, ExpectedVersion.NO_STREAM, batch).join();

    assertThat(retry).isEqualTo(first.asRetry());
    assertThat(store().streamVersion(s)).hasValue(3);
  }

  @Test
  default void anIdReusedAcrossStreamsInFlightConflictsAloneAndSparesTheOthers() {
    EventData reused = Fixtures.event("Reused", 1);
    String first = stream("Pipe");
    String second = stream("Pipe");
    List<CompletableFuture<AppendResult>> bystanders = new ArrayList<>();
    bystanders.add(store().appendAsync(stream("Pipe"), ExpectedVersion.ANY, events(2)));
    CompletableFuture<AppendResult> original = store().appendAsync(first, ExpectedVersion.ANY, List.of(reused));
    bystanders.add(store().appendAsync(stream("Pipe"), ExpectedVersion.ANY, events(1)));
    CompletableFuture<AppendResult> misuse = store().appendAsync(second, ExpectedVersion.ANY, List.of(reused));
    bystanders.add(store().appendAsync(stream("Pipe"), ExpectedVersion.ANY, events(3)));

    assertThat(original.join().alreadyAppended()).isFalse();
    assertThat(failureOf(misuse)).isInstanceOf(IdempotencyConflictException.class).hasMessageContaining(first);
    assertThat(bystanders).allSatisfy(f -> assertThat(f.join().alreadyAppended()).isFalse());
    assertThat(store().streamVersion(second)).isEmpty();
    Fixtures.assertDensePositions(store().readAll(0, 100), 1);
    assertThat(store().headPosition()).isEqualTo(7);
  }

  @Test
  @Timeout(120)
  default void manyThreadsPipeliningLoseNothingAndKeepPositionsDense() throws Exception {
    int threads = 4;
    int perThread = 250;
    long before = store().headPosition();

    List<Long> written = Race.run(threads, t -> {
      String s = stream("Pipe");
      List<CompletableFuture<AppendResult>> started = new ArrayList<>();
      for (int k = 0; k < perThread; k++) {
        started.add(store().appendAsync(s, ExpectedVersion.exactly(k), events(1, k + 1)));
      }
      long events = 0;
      for (CompletableFuture<AppendResult> f : started) {
        events += f.get(60, TimeUnit.SECONDS).eventCount();
      }
      assertThat(store().streamVersion(s)).hasValue(perThread);
      return events;
    });

    assertThat(written.stream().mapToLong(Long::longValue).sum()).isEqualTo((long) threads * perThread);
    List<RecordedEvent> all = store().readAll(before, threads * perThread + 1);
    assertThat(all).hasSize(threads * perThread);
    Fixtures.assertDensePositions(all, before + 1);
  }

  @Test
  default void afterCloseTheFutureFailsWithStoreClosed() {
    store().close();

    assertThat(failureOf(store().appendAsync(stream("Pipe"), ExpectedVersion.ANY, events(1)))).isInstanceOf(StoreClosedException.class);
  }
}
