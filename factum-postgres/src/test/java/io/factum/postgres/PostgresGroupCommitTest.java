package io.factum.postgres;

import static io.factum.tck.Fixtures.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.InvalidEventException;
import io.factum.api.RecordedEvent;
import io.factum.api.StorageException;
import io.factum.api.WrongExpectedVersionException;
import io.factum.tck.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Groups that {@code factum_append} must decide together. The writer is held inside a transaction
 * (the test hook) while the appends queue behind it, so they are certain to form one group.
 */
class PostgresGroupCommitTest {

  private static PostgresEventStore store(String schema) {
    return PostgresEventStore.connect(PostgresTestDatabase.jdbcUrl(), "postgres", null, PostgresOptions.DEFAULT.withSchema(schema));
  }

  private static EventData event(int n) {
    return EventData.json("Tested", "{\"n\":" + n + "}").withId(UUID.randomUUID());
  }

  /** Starts an append whose transaction waits for {@code release}, and returns once the writer is inside it. */
  private static CompletableFuture<AppendResult> holdTheWriter(PostgresEventStore store, CountDownLatch release) throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CompletableFuture<AppendResult> held = CompletableFuture.supplyAsync(() -> store.append("Holder-1", ExpectedVersion.ANY,
        List.of(event(0)), () -> {
          inside.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
    assertThat(inside.await(60, TimeUnit.SECONDS)).isTrue();
    return held;
  }


  /** Closing from an interrupted thread still lets the writer answer what it holds before the pool closes. */
  @Test
  void anInterruptedCloseStillAnswersEveryAppend() throws Exception {
    PostgresEventStore store = store("group_close");
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<AppendResult> held = holdTheWriter(store, release);
    CompletableFuture<AppendResult> queued = store.appendAsync("Queued-1", ExpectedVersion.NO_STREAM, List.of(event(1)));
    Fixtures.closeWhileInterrupted(store, release);
    assertThat(held.get(60, TimeUnit.SECONDS).eventCount()).isEqualTo(1);
    assertThat(queued.get(60, TimeUnit.SECONDS).eventCount()).isEqualTo(1);
    try (PostgresEventStore reopened = store("group_close")) {
      assertThat(reopened.streamVersion("Queued-1")).hasValue(1);
    }
  }

  @Test
  void anErrorInsideTheWriterFailsItsGroupAndTheWriterGoesOn() throws Exception {
    try (PostgresEventStore store = store("group_error")) {
      // on a thread of its own: were the writer to die, this append would never be answered
      CompletableFuture<AppendResult> failing = CompletableFuture.supplyAsync(() -> store.append("Order-1", ExpectedVersion.ANY,
          List.of(event(1)), () -> {
            throw new OutOfMemoryError("simulated, inside the group's transaction");
          }));
      assertThatThrownBy(() -> failing.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class)
          .hasMessageContaining("OutOfMemoryError");
      assertThat(store.streamVersion("Order-1")).as("rolled back").isEmpty();
      assertThat(store.append("Order-1", ExpectedVersion.NO_STREAM, List.of(event(2))).lastPosition()).isEqualTo(1);
    }
  }

  @Test
  void aJsonNumberPostgresCannotStoreIsRefusedAloneAndTheGroupIsWritten() throws Exception {
    // the smallest pool: the listener's connection and the writer's; writing the group's appends one by
    // one must not need a third while the group's is still held
    try (PostgresEventStore store = PostgresEventStore.connect(PostgresTestDatabase.jdbcUrl(), "postgres", null,
        PostgresOptions.DEFAULT.withSchema("group_numbers").withMaxPoolSize(2))) {
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<AppendResult> holder = holdTheWriter(store, release);
      CompletableFuture<AppendResult> before = store.appendAsync("Order-1", ExpectedVersion.ANY, List.of(event(1)));
      // valid JSON (RFC 8259 sets no range), beyond PostgreSQL's numeric type
      CompletableFuture<AppendResult> huge = store.appendAsync("Order-2", ExpectedVersion.ANY,
          List.of(EventData.json("Measured", "{\"x\":1e1000000}")));
      CompletableFuture<AppendResult> after = store.appendAsync("Order-3", ExpectedVersion.ANY, List.of(event(3)));
      release.countDown();

      holder.join();
      assertThat(before.join().lastPosition()).isEqualTo(2);
      assertThat(failureOf(huge)).isInstanceOf(InvalidEventException.class).hasMessageContaining("numeric")
          .hasMessageContaining("nothing was written");
      assertThat(after.join().lastPosition()).isEqualTo(3);
      assertThat(store.streamVersion("Order-2")).isEmpty();
      assertThat(store.headPosition()).isEqualTo(3);
    }
  }

  @Test
  void anEventIdReusedWithinAGroupIsRefusedAloneAndTheGroupIsWritten() throws Exception {
    try (PostgresEventStore store = store("group_ids")) {
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<AppendResult> holder = holdTheWriter(store, release);
      EventData reused = event(1);
      CompletableFuture<AppendResult> bystander = store.appendAsync("Order-1", ExpectedVersion.ANY, List.of(event(2)));
      CompletableFuture<AppendResult> original = store.appendAsync("Order-2", ExpectedVersion.ANY, List.of(reused));
      CompletableFuture<AppendResult> misuse = store.appendAsync("Order-3", ExpectedVersion.ANY, List.of(reused));
      release.countDown();

      holder.join();
      assertThat(bystander.join().lastPosition()).isEqualTo(2);
      assertThat(original.join().lastPosition()).isEqualTo(3);
      assertThat(failureOf(misuse)).isInstanceOf(IdempotencyConflictException.class).hasMessageContaining("Order-2");
      assertThat(store.append("Order-2", ExpectedVersion.ANY, List.of(reused))).isEqualTo(original.join().asRetry());
      assertThat(store.headPosition()).isEqualTo(3);
      assertThat(store.streamVersion("Order-3")).isEmpty();
    }
  }

  @Test
  void pipelinedAppendsToOneStreamInOneGroupGetConsecutiveVersionsAndAStaleOneFailsAlone() throws Exception {
    try (PostgresEventStore store = store("group_pipeline")) {
      // all accepted: the set-based path
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<AppendResult> holder = holdTheWriter(store, release);
      List<CompletableFuture<AppendResult>> accepted = new ArrayList<>();
      for (int k = 0; k < 50; k++) {
        accepted.add(store.appendAsync("Cart-1", k == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(2L * k),
            List.of(event(2 * k + 1), event(2 * k + 2))));
        accepted.add(store.appendAsync("Other-" + k, ExpectedVersion.ANY, List.of(event(k))));
      }
      release.countDown();
      holder.join();
      for (int k = 0; k < 50; k++) {
        AppendResult r = accepted.get(2 * k).join();
        assertThat(r.firstVersion()).isEqualTo(2L * k + 1);
        assertThat(r.lastVersion()).isEqualTo(2L * k + 2);
      }
      assertThat(store.streamVersion("Cart-1")).hasValue(100);
      List<RecordedEvent> cart = store.readStream("Cart-1", 1, 200);
      for (int k = 1; k < cart.size(); k++) {
        assertThat(cart.get(k).globalPosition()).isGreaterThan(cart.get(k - 1).globalPosition());
      }

      // one stale append inside the pipeline: decided append by append, each with its own outcome
      CountDownLatch again = new CountDownLatch(1);
      CompletableFuture<AppendResult> holder2 = holdTheWriter(store, again);
      CompletableFuture<AppendResult> next = store.appendAsync("Cart-1", ExpectedVersion.exactly(100), List.of(event(101)));
      CompletableFuture<AppendResult> stale = store.appendAsync("Cart-1", ExpectedVersion.exactly(100), List.of(event(999)));
      CompletableFuture<AppendResult> after = store.appendAsync("Cart-1", ExpectedVersion.exactly(101), List.of(event(102)));
      again.countDown();
      holder2.join();
      assertThat(next.join().lastVersion()).isEqualTo(101);
      assertThat(failureOf(stale)).isInstanceOf(WrongExpectedVersionException.class).hasMessageContaining("at version 101");
      assertThat(after.join().lastVersion()).isEqualTo(102);
      long head = store.headPosition();
      assertThat(store.readAll(0, 1000)).hasSize((int) head);
    }
  }
}
