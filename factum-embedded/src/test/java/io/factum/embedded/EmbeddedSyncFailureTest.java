package io.factum.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StorageException;
import io.factum.tck.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that fails half-way, and a sync that fails (an fsync's EIO, injected: a real one cannot be
 * produced on demand; later syncs succeed, as Linux reports a writeback error once). After a failed
 * sync nothing decided after it may be acknowledged —
 * not the appends of its group, not a retry of its events, not a refusal decided against it, not a
 * later small group — the writer writes nothing more, and a reopen finds a clean log without them.
 */
class EmbeddedSyncFailureTest {

  @TempDir
  Path dir;

  private static List<EventData> events(int n, String type) {
    List<EventData> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      out.add(EventData.json(type, "{\"k\":" + k + "}").withId(UUID.randomUUID()));
    }
    return out;
  }

  /**
   * A write that fails half-way (a disk filling up): its callers are told nothing was stored, so what
   * it wrote is erased — a shorter group written next could otherwise leave whole batches of it
   * behind the log's end, where a reopen would find them following on.
   */
  @Test
  void aWriteThatFailsHalfWayLeavesNothingBehindTheLogEnd() throws Exception {
    Path segment = dir.resolve("log").resolve("segment-000000.log");
    int firstBatchEnd;
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      store.append("Before", ExpectedVersion.NO_STREAM, events(1, "Kept"));
      java.nio.ByteBuffer log = java.nio.ByteBuffer.wrap(Files.readAllBytes(segment)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      firstBatchEnd = io.factum.embedded.log.BatchFormat.align8(log.getInt(4));

      store.failNextWrite(new IOException("No space left on device (injected)"));
      assertThatThrownBy(() -> store.append("Failed", ExpectedVersion.NO_STREAM, events(50, "Lost")))
          .isInstanceOf(StorageException.class).hasMessageContaining("nothing was stored");
      byte[] after = java.util.Arrays.copyOfRange(Files.readAllBytes(segment), firstBatchEnd, firstBatchEnd + 64 * 1024);
      assertThat(after).as("bytes behind the log's end").containsOnly(0);

      assertThat(store.append("After", ExpectedVersion.NO_STREAM, events(1, "Kept")).firstPosition()).isEqualTo(2);
    }
    Files.delete(dir.resolve("index").resolve("checkpoint")); // as after a crash: the log is replayed
    try (EmbeddedEventStore reopened = EmbeddedEventStore.open(dir)) {
      assertThat(reopened.headPosition()).isEqualTo(2);
      assertThat(reopened.streamVersion("Failed")).isEmpty();
    }
  }

  /**
   * A write that fails half-way and whose erasure fails too: its callers cannot be told nothing was
   * stored, so they are told the outcome is unknown and how to find out; the store refuses further
   * writes, and after a reopen a retry with the same ids stores the events exactly once.
   */
  @Test
  void aFailedWriteThatCannotBeErasedIsReportedAsOfUnknownOutcome() throws Exception {
    List<EventData> lost = events(50, "Lost");
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      store.append("Before", ExpectedVersion.NO_STREAM, events(1, "Kept"));
      store.failNextWrite(new IOException("No space left on device (injected)"));
      store.failNextErase(new IOException("Input/output error (injected)"));
      assertThatThrownBy(() -> store.append("Failed", ExpectedVersion.NO_STREAM, lost))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("outcome is unknown")
          .hasMessageContaining("retry with the same event ids")
          .hasMessageNotContaining("nothing was stored");
      assertThatThrownBy(() -> store.append("After", ExpectedVersion.NO_STREAM, events(1, "Refused")))
          .isInstanceOf(StorageException.class).hasMessageContaining("refuses further writes");
    }
    Files.delete(dir.resolve("index").resolve("checkpoint")); // as after a crash: the log is replayed
    try (EmbeddedEventStore reopened = EmbeddedEventStore.open(dir)) {
      assertThat(reopened.headPosition()).isEqualTo(1);
      assertThat(reopened.streamVersion("After")).isEmpty();
      AppendResult retried = reopened.append("Failed", ExpectedVersion.NO_STREAM, lost);
      assertThat(retried.firstPosition()).isEqualTo(2);
      assertThat(retried.alreadyAppended()).as("the torn write left nothing").isFalse();
      assertThat(reopened.append("Failed", ExpectedVersion.NO_STREAM, lost).alreadyAppended()).as("a second retry finds them").isTrue();
      assertThat(reopened.headPosition()).isEqualTo(51);
    }
  }

  /** An Error inside the writer (out of memory, say) is answered, never left waiting; the store stops writing. */
  @Test
  void anErrorInsideTheWriterIsAnsweredAndTheStoreStopsWriting() throws Exception {
    List<EventData> lost = events(50, "Lost");
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      store.append("Before", ExpectedVersion.NO_STREAM, events(1, "Kept"));
      store.failNextWrite(new OutOfMemoryError("simulated"));
      CompletableFuture<AppendResult> failed = store.appendAsync("Failed", ExpectedVersion.NO_STREAM, lost);
      assertThatThrownBy(() -> failed.get(60, TimeUnit.SECONDS)).cause().isInstanceOf(StorageException.class)
          .hasMessageContaining("outcome is unknown").hasMessageContaining("OutOfMemoryError");
      CompletableFuture<AppendResult> next = store.appendAsync("Next", ExpectedVersion.NO_STREAM, events(1, "Refused"));
      assertThatThrownBy(() -> next.get(60, TimeUnit.SECONDS)).cause().isInstanceOf(StorageException.class)
          .hasMessageContaining("refuses further writes");
    }
    try (EmbeddedEventStore reopened = EmbeddedEventStore.open(dir)) {
      assertThat(reopened.headPosition()).isEqualTo(1);
      assertThat(reopened.append("Failed", ExpectedVersion.NO_STREAM, lost).alreadyAppended()).isFalse();
    }
  }

  /**
   * A write that fails (a full disk) fails the appends being written, not a retry or a refusal in the
   * same group: those were decided against durable groups and keep their own answers.
   */
  @Test
  void aFailedWriteFailsOnlyTheAppendsItWasWriting() throws Exception {
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      List<EventData> stored = events(2, "Kept");
      AppendResult first = store.append("Stored", ExpectedVersion.NO_STREAM, stored);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch waiting = new CountDownLatch(1);
      store.holdSyncs(release, waiting);
      CompletableFuture<AppendResult> held = store.appendAsync("Held", ExpectedVersion.NO_STREAM, events(1, "Kept"));
      assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue(); // the writer waits in that group's sync: the next three form one group
      CompletableFuture<AppendResult> retry = store.appendAsync("Stored", ExpectedVersion.ANY, stored);
      CompletableFuture<AppendResult> refused = store.appendAsync("Stored", ExpectedVersion.NO_STREAM, events(1, "Lost"));
      List<EventData> lost = events(3, "Lost");
      CompletableFuture<AppendResult> failing = store.appendAsync("Failing", ExpectedVersion.NO_STREAM, lost);
      CompletableFuture<AppendResult> resent = store.appendAsync("Failing", ExpectedVersion.ANY, lost); // decided against the one before
      store.failNextWrite(new IOException("No space left on device (injected)"));
      store.holdSyncs(null, null);
      release.countDown();

      assertThat(held.get(30, TimeUnit.SECONDS).firstPosition()).isEqualTo(3);
      AppendResult again = retry.get(30, TimeUnit.SECONDS);
      assertThat(again.alreadyAppended()).isTrue();
      assertThat(again.firstPosition()).isEqualTo(first.firstPosition());
      assertThatThrownBy(() -> refused.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(io.factum.api.WrongExpectedVersionException.class);
      assertThatThrownBy(() -> failing.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(StorageException.class)
          .hasMessageContaining("nothing was stored");
      // The resend was first decided as a retry of the failed append in the same group: it is decided
      // again against what is durable, and written — never answered "already appended" for lost events.
      AppendResult written = resent.get(30, TimeUnit.SECONDS);
      assertThat(written.alreadyAppended()).isFalse();
      assertThat(written.firstPosition()).isEqualTo(4);
      assertThat(store.readStream("Failing", 1, 10)).extracting(RecordedEvent::eventId)
          .containsExactly(lost.get(0).eventId(), lost.get(1).eventId(), lost.get(2).eventId());
    }
  }

  /** Closing from an interrupted thread (a cancelled task, a shutdown hook) still answers every append first. */
  @Test
  void anInterruptedCloseStillAnswersEveryAppend() throws Exception {
    EmbeddedEventStore store = EmbeddedEventStore.open(dir);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch waiting = new CountDownLatch(1);
    store.holdSyncs(release, waiting);
    CompletableFuture<AppendResult> large = store.appendAsync("Large", ExpectedVersion.NO_STREAM, events(3000, "Kept"));
    assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
    Fixtures.closeWhileInterrupted(store, release);
    assertThat(large.get(30, TimeUnit.SECONDS).lastPosition()).isEqualTo(3000);
    try (EmbeddedEventStore reopened = EmbeddedEventStore.open(dir)) {
      assertThat(reopened.streamVersion("Large")).hasValue(3000);
      assertThat(reopened.append("After", ExpectedVersion.NO_STREAM, events(1, "Kept")).firstPosition()).isEqualTo(3001);
    }
  }

  @Test
  void aRetryOrARefusalDecidedAgainstAGroupWhoseSyncFailedIsNotAcknowledged() throws Exception {
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      store.append("Before", ExpectedVersion.NO_STREAM, events(1, "Kept"));
      store.failNextSync(new IOException("Input/output error (injected)"));

      List<EventData> large = events(3000, "Lost"); // pipelined: planning the next group overlaps its sync
      List<CompletableFuture<AppendResult>> decided = List.of(
          store.appendAsync("Large", ExpectedVersion.NO_STREAM, large),
          store.appendAsync("Large", ExpectedVersion.ANY, large), // a retry: "already appended" if it were durable
          store.appendAsync("Large", ExpectedVersion.NO_STREAM, events(1, "Lost"))); // refused against it

      for (CompletableFuture<AppendResult> f : decided) {
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(StorageException.class).hasMessageContaining("reopen");
      }
      assertThatThrownBy(() -> store.append("After", ExpectedVersion.ANY, events(1, "Lost")))
          .isInstanceOf(StorageException.class).hasMessageContaining("refuses further writes");
    }
    try (EmbeddedEventStore reopened = EmbeddedEventStore.open(dir)) {
      assertThat(reopened.streamVersion("Large")).as("the unacknowledged group was erased").isEmpty();
      assertThat(reopened.headPosition()).isEqualTo(1);
    }
  }

  @Test
  void nothingIsWrittenAfterAFailedSyncAndTheReopenedStoreHasNoneOfIt() throws Exception {
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      store.append("Before", ExpectedVersion.NO_STREAM, events(1, "Kept"));
      store.failNextSync(new IOException("Input/output error (injected)")); // later syncs succeed, as on Linux

      CompletableFuture<AppendResult> large = store.appendAsync("Large", ExpectedVersion.NO_STREAM, events(30_000, "Lost"));
      Thread.sleep(5); // the writer has taken the large group alone and is still writing and indexing it
      CompletableFuture<AppendResult> small = store.appendAsync("Small", ExpectedVersion.ANY, events(2, "Lost")); // the next group
      List<CompletableFuture<AppendResult>> decided = List.of(large, small);

      for (CompletableFuture<AppendResult> f : decided) {
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(StorageException.class);
      }
      assertThat(store.streamVersion("Large")).isEmpty();
    }

    // Nothing after the first batch: the failed group was zeroed and nothing was written after it
    // (stale bytes past the log's end could later be mistaken for a batch).
    byte[] segment = Files.readAllBytes(dir.resolve("log").resolve("segment-000000.log"));
    int lastNonZero = segment.length - 1;
    while (lastNonZero >= 0 && segment[lastNonZero] == 0) {
      lastNonZero--;
    }
    assertThat(lastNonZero).as("last non-zero byte of the log").isLessThan(512);

    try (EmbeddedEventStore reopened = EmbeddedEventStore.open(dir)) {
      assertThat(reopened.streamVersion("Before")).hasValue(1);
      assertThat(reopened.streamVersion("Large")).isEmpty();
      assertThat(reopened.streamVersion("Small")).isEmpty();
      AppendResult again = reopened.append("Large", ExpectedVersion.NO_STREAM, events(3, "Kept"));
      assertThat(again.firstPosition()).isEqualTo(2);
      assertThat(reopened.readStream("Large", 1, 10)).hasSize(3);
    }
  }

  /**
   * A pipelined group whose sync fails has already been indexed (insert-only entries, written while
   * it synced). Its log is erased but those entries stay, pointing past the log's end: the same
   * stream written again at a lower position meets its own stale version anchor, which must be
   * passed over as not matching — not read as a corrupt batch that stops the store.
   */
  @Test
  void indexEntriesOfAGroupWhoseSyncFailedDoNotTripLaterAppends() throws Exception {
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      store.append("Before", ExpectedVersion.NO_STREAM, events(1, "Kept"));
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch waiting = new CountDownLatch(1);
      store.holdSyncs(release, waiting);
      CompletableFuture<AppendResult> warm = store.appendAsync("Warm", ExpectedVersion.NO_STREAM, events(300, "Kept"));
      assertThat(waiting.await(60, TimeUnit.SECONDS)).isTrue(); // its sync is held: the next appends queue up together
      store.holdSyncs(null, null);
      store.failNextSync(new IOException("Input/output error (injected)"));
      CompletableFuture<AppendResult> big = store.appendAsync("Big", ExpectedVersion.NO_STREAM, events(300, "Lost"));
      CompletableFuture<AppendResult> late = store.appendAsync("Late", ExpectedVersion.NO_STREAM, events(1, "Lost")); // at 602
      release.countDown();
      assertThat(warm.get(60, TimeUnit.SECONDS).lastPosition()).isEqualTo(301);
      for (CompletableFuture<AppendResult> f : List.of(big, late)) {
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).cause().isInstanceOf(StorageException.class);
      }
    }
    try (EmbeddedEventStore reopened = EmbeddedEventStore.open(dir)) {
      assertThat(reopened.append("Late", ExpectedVersion.NO_STREAM, events(1, "Kept")).firstPosition()).isEqualTo(302);
      assertThat(reopened.append("Late", ExpectedVersion.exactly(1), events(2, "Kept")).lastPosition()).isEqualTo(304);
      assertThat(reopened.readStream("Late", 1, 10)).extracting(RecordedEvent::globalPosition).containsExactly(302L, 303L, 304L);
    }
    try (EmbeddedEventStore again = EmbeddedEventStore.open(dir)) {
      assertThat(again.streamVersion("Late")).hasValue(3);
    }
  }

  @Test
  void twoUnsyncedGroupsAcrossASegmentRollAreBothErased() throws Exception {
    EmbeddedOptions options = EmbeddedOptions.DEFAULT.withSegmentSizeBits(21); // 2 MiB segments, groups up to 1 MiB
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir, options)) {
      store.append("Filler-1", ExpectedVersion.NO_STREAM, events(10_000, "Kept"));
      store.append("Filler-2", ExpectedVersion.NO_STREAM, events(5_000, "Kept"));
      List<EventData> first = events(10_000, "Lost"); // still fits in segment 0
      List<EventData> second = events(8_000, "Lost"); // does not: the writer rolls to segment 1
      store.failNextSync(new IOException("Input/output error (injected)"));

      CompletableFuture<AppendResult> a = store.appendAsync("Lost-1", ExpectedVersion.NO_STREAM, first);
      CompletableFuture<AppendResult> b = store.appendAsync("Lost-2", ExpectedVersion.NO_STREAM, second); // written while a syncs
      for (CompletableFuture<AppendResult> f : List.of(a, b)) {
        assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(StorageException.class);
      }
    }

    Path log = dir.resolve("log");
    Path second = log.resolve("segment-000001.log");
    if (Files.exists(second)) {
      byte[] bytes = Files.readAllBytes(second);
      for (int k = 0; k < bytes.length; k++) {
        if (bytes[k] != 0) {
          throw new AssertionError("segment 1 holds data at offset " + k + " after the failed sync");
        }
      }
    }
    try (EmbeddedEventStore reopened = EmbeddedEventStore.open(dir, options)) {
      assertThat(reopened.streamVersion("Filler-1")).hasValue(10_000);
      assertThat(reopened.streamVersion("Filler-2")).hasValue(5_000);
      assertThat(reopened.streamVersion("Lost-1")).isEmpty();
      assertThat(reopened.streamVersion("Lost-2")).isEmpty();
      assertThat(reopened.append("Again", ExpectedVersion.NO_STREAM, events(3, "Kept")).firstPosition()).isEqualTo(15_001);
    }
  }
}
