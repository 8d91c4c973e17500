package io.factum.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.IdempotencyConflictException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipelined appends grouped by the writer, and callbacks of their futures that run on the store's own threads. */
class EmbeddedAppendAsyncTest {

  @TempDir
  Path dir;

  private static List<EventData> one(int n) {
    return List.of(EventData.json("Tested", "{\"n\":" + n + "}"));
  }

  @Test
  void aBlockingAppendInACallbackIsRefusedOnTheStoresThreadAndWrittenOnlyElsewhere() throws Exception {
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      List<CompletableFuture<String>> outcomes = new ArrayList<>();
      for (int k = 0; k < 50; k++) {
        String other = "Other-" + k;
        int n = k;
        outcomes.add(store.appendAsync("Pipe-1", ExpectedVersion.ANY, one(k)).handle((r, e) -> {
          boolean onStoreThread = Thread.currentThread().getName().startsWith("factum-");
          try {
            store.append(other, ExpectedVersion.ANY, one(n));
            return (onStoreThread ? "written on a store thread: " : "written: ") + other;
          } catch (IllegalStateException refused) {
            return (onStoreThread ? "refused: " : "refused off the store's threads: ") + other;
          }
        }));
      }

      int refused = 0;
      for (CompletableFuture<String> f : outcomes) {
        String outcome = f.get(60, TimeUnit.SECONDS);
        assertThat(outcome).matches("(written|refused): Other-\\d+");
        String other = outcome.substring(outcome.indexOf(' ') + 1);
        if (outcome.startsWith("refused")) {
          refused++;
          assertThat(store.streamVersion(other)).as("a refused append writes nothing").isEmpty();
        } else {
          assertThat(store.streamVersion(other)).hasValue(1);
        }
      }
      System.out.println(refused + " of 50 callbacks ran on the store's threads (their appends refused)");
    }
  }

  @Test
  void closeCalledInACallbackReturnsAndTheStoreFinishesClosing() throws Exception {
    EmbeddedEventStore store = EmbeddedEventStore.open(dir);
    List<CompletableFuture<AppendResult>> inFlight = new ArrayList<>();
    for (int k = 0; k < 20; k++) {
      inFlight.add(store.appendAsync("Pipe-1", ExpectedVersion.exactly(k), one(k)));
    }
    CompletableFuture<Void> closed = inFlight.get(9).thenRun(store::close);

    closed.get(60, TimeUnit.SECONDS);
    // every append started before close is answered; the directory is released for a reopen
    for (CompletableFuture<AppendResult> f : inFlight) {
      assertThat(f).succeedsWithin(Duration.ofSeconds(60));
    }
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      try (EmbeddedEventStore again = EmbeddedEventStore.open(dir)) {
        assertThat(again.streamVersion("Pipe-1")).hasValue(20);
      }
    });
  }

  @Test
  void appendsPlannedWhileEarlierGroupsSyncFollowOnAndRepeatedIdsAreRetriesOrConflictsNeverDuplicates() throws Exception {
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      List<EventData> big = new ArrayList<>();
      for (int k = 0; k < 5000; k++) {
        big.add(EventData.json("Filler", "{\"k\":" + k + "}"));
      }
      CompletableFuture<AppendResult> blocker = store.appendAsync("Blocker", ExpectedVersion.ANY, big); // keeps the writer busy
      // planned while the blocker's group may still be syncing: its versions must follow on from it
      List<CompletableFuture<AppendResult>> following = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        following.add(store.appendAsync("Blocker", ExpectedVersion.exactly(5000 + 300 * k), big.subList(0, 300).stream()
            .map(e -> e.withId(UUID.randomUUID())).toList()));
      }
      int rounds = 200;
      List<List<CompletableFuture<AppendResult>>> outcomes = new ArrayList<>();
      List<UUID[]> ids = new ArrayList<>();
      for (int k = 0; k < rounds; k++) {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        ids.add(new UUID[] {a, b});
        List<EventData> pair = List.of(EventData.json("A", "{}").withId(a), EventData.json("B", "{}").withId(b));
        outcomes.add(List.of(
            store.appendAsync("S-" + k, ExpectedVersion.NO_STREAM, pair),
            store.appendAsync("S-" + k, ExpectedVersion.ANY, pair), // a retry of the append just before it
            store.appendAsync("T-" + k, ExpectedVersion.ANY, List.of(EventData.json("A", "{}").withId(a))), // another stream
            store.appendAsync("S-" + k, ExpectedVersion.ANY, List.of(EventData.json("A", "{}").withId(a),
                EventData.json("C", "{}").withId(UUID.randomUUID()))))); // a partial overlap
      }

      for (int k = 0; k < rounds; k++) {
        List<CompletableFuture<AppendResult>> f = outcomes.get(k);
        AppendResult first = f.get(0).get(60, TimeUnit.SECONDS);
        assertThat(first.alreadyAppended()).isFalse();
        assertThat(first.firstVersion()).isEqualTo(1);
        AppendResult retry = f.get(1).get(60, TimeUnit.SECONDS);
        assertThat(retry.alreadyAppended()).isTrue();
        assertThat(retry.firstPosition()).isEqualTo(first.firstPosition());
        assertThat(retry.lastPosition()).isEqualTo(first.lastPosition());
        for (int j : new int[] {2, 3}) {
          CompletableFuture<AppendResult> conflict = f.get(j);
          assertThatThrownBy(() -> conflict.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
              .cause().isInstanceOf(IdempotencyConflictException.class);
        }
        assertThat(store.streamVersion("S-" + k)).hasValue(2);
        assertThat(store.streamVersion("T-" + k)).isEmpty();
        assertThat(store.readStream("S-" + k, 1, 10)).extracting(e -> e.eventId()).containsExactly(ids.get(k));
      }
      assertThat(blocker.get(60, TimeUnit.SECONDS).lastVersion()).isEqualTo(5000);
      for (int k = 0; k < 3; k++) {
        AppendResult r = following.get(k).get(60, TimeUnit.SECONDS);
        assertThat(r.firstVersion()).isEqualTo(5001 + 300 * k);
      }
      assertThat(store.streamVersion("Blocker")).hasValue(5900);
      GroupCommitWriter.Stats stats = store.writerStats();
      assertThat(stats.appends.sum()).as("appends written in groups of several").isGreaterThan(stats.groups.sum());
    }
  }
}
