package io.factum.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StorageException;
import io.factum.api.StoreLimits;
import io.factum.embedded.log.BatchFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded engine's own promises: segments, recovery, torn tails, corruption, locking. */
class EmbeddedStorageTest {

  @TempDir
  Path dir;

  /** 64 KiB segments, so a few thousand small events span many of them. */
  private static final EmbeddedOptions SMALL_SEGMENTS =
      EmbeddedOptions.DEFAULT.withSegmentSizeBits(16).withLimits(new StoreLimits(4096, 16_384));

  private static EventData event(int n) {
    return EventData.json("E" + (n % 5), "{\"n\":" + n + ",\"pad\":\"" + "x".repeat(n % 200) + "\"}");
  }

  private static List<EventData> events(int first, int count) {
    List<EventData> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      out.add(event(first + k));
    }
    return out;
  }

  private int fillStore(EmbeddedEventStore store, int appends) {
    Random random = new Random(7);
    int n = 0;
    for (int k = 0; k < appends; k++) {
      int count = 1 + random.nextInt(6);
      store.append("S" + (k % 3) + "-" + (k % 11), ExpectedVersion.ANY, events(n, count));
      n += count;
    }
    return n;
  }

  private static void assertWholeStoreConsistent(EmbeddedEventStore store, int expectedEvents) {
    List<RecordedEvent> all = new ArrayList<>();
    long after = 0;
    while (true) {
      List<RecordedEvent> page = store.readAll(after, 997);
      if (page.isEmpty()) {
        break;
      }
      all.addAll(page);
      after = page.get(page.size() - 1).globalPosition();
    }
    assertThat(all).hasSize(expectedEvents);
    for (int k = 0; k < all.size(); k++) {
      assertThat(all.get(k).globalPosition()).isEqualTo(k + 1);
      assertThat(io.factum.tck.Fixtures.tree(all.get(k).data()).get("n").asInt()).isEqualTo(k);
    }
    all.stream().map(RecordedEvent::streamId).distinct().forEach(s -> {
      List<RecordedEvent> forward = store.readStream(s, 1, 100_000);
      List<RecordedEvent> expected = all.stream().filter(e -> e.streamId().equals(s)).toList();
      assertThat(forward).containsExactlyElementsOf(expected);
      for (int k = 0; k < forward.size(); k++) {
        assertThat(forward.get(k).version()).isEqualTo(k + 1);
      }
    });
  }

  @Test
  void eventsSpanManySegmentsAndSurviveReopen() throws IOException {
    Path store = dir.resolve("s");
    int total;
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      total = fillStore(s, 2000);
      assertWholeStoreConsistent(s, total);
    }
    try (Stream<Path> segments = Files.list(store.resolve("log"))) {
      assertThat(segments.count()).as("segments").isGreaterThan(10);
    }
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      assertWholeStoreConsistent(s, total);
      s.append("S0-0", ExpectedVersion.ANY, events(total, 3));
      assertWholeStoreConsistent(s, total + 3);
    }
  }

  @Test
  void aDeletedIndexIsRebuiltFromTheLog() throws IOException {
    Path store = dir.resolve("s");
    int total;
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      total = fillStore(s, 500);
    }
    deleteRecursively(store.resolve("index"));
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      assertWholeStoreConsistent(s, total);
      assertThat(s.readAll(0, 10_000, EventFilter.eventTypes("E3"))).allMatch(e -> e.eventType().equals("E3")).isNotEmpty();
    }
  }

  /** Lost log files are lost events: open refuses, where it used to start an empty or shorter log. */
  @Test
  void aStoreWhoseLogOrLastSegmentIsGoneIsRefusedNotOpenedShorter() throws IOException {
    Path store = dir.resolve("s");
    int total;
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      total = fillStore(s, 500);
    }
    List<Path> segments;
    try (var files = Files.list(store.resolve("log"))) {
      segments = files.sorted().toList();
    }
    assertThat(segments).hasSizeGreaterThan(1);
    Path last = segments.get(segments.size() - 1);
    byte[] lastBytes = Files.readAllBytes(last);
    Files.delete(last);
    assertThatThrownBy(() -> EmbeddedEventStore.open(store, SMALL_SEGMENTS)).isInstanceOf(StorageException.class)
        .hasMessageContaining("acknowledged events are missing").hasMessageContaining("backup");
    Files.write(last, lastBytes);

    Path log = dir.resolve("moved-log");
    Files.move(store.resolve("log"), log);
    assertThatThrownBy(() -> EmbeddedEventStore.open(store, SMALL_SEGMENTS)).isInstanceOf(StorageException.class)
        .hasMessageContaining("no log directory");
    assertThat(store.resolve("log")).doesNotExist();
    Files.move(log, store.resolve("log"));
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      assertWholeStoreConsistent(s, total);
    }
  }

  @Test
  void aDamagedCheckpointMeansARebuildNotAFailure() throws IOException {
    Path store = dir.resolve("s");
    int total;
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      total = fillStore(s, 300);
    }
    Files.writeString(store.resolve("index").resolve("checkpoint"), "format=1\nindexedThrough=5\ncrc=0\n");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      assertWholeStoreConsistent(s, total);
    }
    Files.write(store.resolve("index").resolve("checkpoint"), new byte[] {(byte) 0xFF, (byte) 0xFE, 'x'}); // not even UTF-8
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      assertWholeStoreConsistent(s, total);
    }
  }

  @Test
  void aTornTailIsErasedAndTheNextAppendTakesItsPlace() throws IOException {
    Path store = dir.resolve("s");
    int total;
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      total = fillStore(s, 50);
    }
    long end = logEnd(store);
    byte[] garbage = new byte[3000];
    new Random(1).nextBytes(garbage);
    writeAt(store.resolve("log").resolve("segment-000000.log"), end, garbage);
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertThat(s.headPosition()).isEqualTo(total);
      AppendResult next = s.append("After-1", ExpectedVersion.NO_STREAM, events(total, 2));
      assertThat(next.firstPosition()).isEqualTo(total + 1);
      assertWholeStoreConsistent(s, total + 2);
    }
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertWholeStoreConsistent(s, total + 2);
    }
  }

  @Test
  void aHalfWrittenBatchIsTreatedAsTornAndErased() throws IOException {
    Path store = dir.resolve("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      fillStore(s, 20);
    }
    long end = logEnd(store);
    Path copy = dir.resolve("copy");
    copyRecursively(store, copy);
    try (EmbeddedEventStore s = EmbeddedEventStore.open(copy)) {
      s.append("Torn-1", ExpectedVersion.ANY, events(0, 5));
    }
    // The copy's next batch, cut in half, lands after the original's end: exactly what a crash mid-write leaves.
    byte[] batch = readAt(copy.resolve("log").resolve("segment-000000.log"), end, (int) (logEnd(copy) - end));
    writeAt(store.resolve("log").resolve("segment-000000.log"), end, java.util.Arrays.copyOf(batch, batch.length / 2));
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertThat(s.streamVersion("Torn-1")).isEmpty();
      assertThat(s.append("Torn-1", ExpectedVersion.NO_STREAM, events(0, 1)).firstVersion()).isEqualTo(1);
    }
  }

  /**
   * A power cut (not a killed process): of two groups not yet synced, the pages of the first never
   * reached the disk while the second's did. Neither was acknowledged, so the store opens without
   * both — whether the first is all zeros or a damaged prefix survived.
   */
  @Test
  void aPowerCutThatLostAnUnsyncedBatchAheadOfAWrittenOneOpensWithoutEither() throws IOException {
    for (int survivingPrefix : new int[] {0, 100}) {
      PowerCut cut = powerCut("cut-" + survivingPrefix);
      byte[] second = cut.secondBatch();
      setSyncedEnd(second, cut.end()); // written while the first batch's sync ran
      byte[] first = new byte[(int) (cut.secondStart() - cut.end())];
      System.arraycopy(cut.firstBatch(), 0, first, 0, survivingPrefix);
      writeAt(cut.segment(), cut.end(), first);
      writeAt(cut.segment(), cut.secondStart(), second);
      Files.delete(cut.store().resolve("index").resolve("checkpoint")); // no clean close

      try (EmbeddedEventStore s = EmbeddedEventStore.open(cut.store())) {
        assertThat(s.headPosition()).isEqualTo(cut.total());
        assertThat(s.streamVersion("Lost-1")).isEmpty();
        assertThat(s.streamVersion("Written-1")).isEmpty();
        assertThat(s.append("After-1", ExpectedVersion.NO_STREAM, events(cut.total(), 2)).firstPosition()).isEqualTo(cut.total() + 1);
        assertWholeStoreConsistent(s, cut.total() + 2);
      }
      assertThat(readAt(cut.segment(), cut.secondStart(), second.length)).as("the unacknowledged batch is erased").containsOnly(0);
      try (EmbeddedEventStore s = EmbeddedEventStore.open(cut.store())) {
        assertWholeStoreConsistent(s, cut.total() + 2);
      }
    }
  }

  /**
   * A power cut between checkpoints: the kernel had written back the hash page holding a stream's head
   * (pointing at its last batch) but not the position-table page of that batch. Replaying the stream's
   * earlier batch meets the head entry beyond it and must not read through the missing position.
   */
  @Test
  void aStreamHeadWrittenBackBeforeItsPositionsSurvivesAPowerCut() throws IOException {
    Path store = dir.resolve("s");
    Path checkpoint = store.resolve("index").resolve("checkpoint");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      s.append("Before-1", ExpectedVersion.ANY, events(0, 3));
    }
    byte[] atOpen;
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      atOpen = Files.readAllBytes(checkpoint); // written by the open: indexed through position 3
      s.append("Twice-1", ExpectedVersion.NO_STREAM, events(3, 2));
      s.append("Twice-1", ExpectedVersion.exactly(2), events(5, 2)); // the head entry now points at position 7
    }
    Files.write(checkpoint, atOpen);
    writeAt(store.resolve("index").resolve("positions-000000.pos"), 3 * 16L, new byte[4 * 16]); // positions 4-7 never written back

    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertThat(s.streamVersion("Twice-1")).hasValue(4);
      assertThat(s.append("Twice-1", ExpectedVersion.exactly(4), events(7, 1)).firstVersion()).isEqualTo(5);
      assertWholeStoreConsistent(s, 8);
    }
  }

  /** The same damage, but the batch after it was written once the damaged one was synced: acknowledged data follows. */
  @Test
  void aDamagedBatchFollowedByOneWrittenAfterItWasSyncedIsCorruptionAndRefused() throws IOException {
    PowerCut cut = powerCut("cut");
    byte[] second = cut.secondBatch(); // names the first batch as synced: it was acknowledged
    writeAt(cut.segment(), cut.end(), new byte[(int) (cut.secondStart() - cut.end())]);
    writeAt(cut.segment(), cut.secondStart(), second);
    Files.delete(cut.store().resolve("index").resolve("checkpoint"));

    assertThatThrownBy(() -> EmbeddedEventStore.open(cut.store()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("position " + (cut.total() + 1))
        .hasMessageContaining("written after it was durable");
  }

  /** Two unsynced groups on both sides of a segment roll: the first lost, the second, in a new segment, written. */
  @Test
  void aPowerCutAcrossASegmentRollIsToldApartFromCorruption() throws IOException {
    Path store = dir.resolve("s");
    long head = storeEndingInANewSegment(store);
    int bits = 16;
    long lostAt = batchOffsetOf(store, head - 1, bits); // the last batch of the full segment
    long writtenAt = batchOffsetOf(store, head, bits); // the first of the new one
    assertThat(writtenAt & ((1 << bits) - 1)).isZero();
    Path lostSegment = store.resolve("log").resolve(String.format("segment-%06d.log", lostAt >>> bits));
    Path newSegment = store.resolve("log").resolve(String.format("segment-%06d.log", writtenAt >>> bits));
    int lostLocal = (int) (lostAt & ((1 << bits) - 1));
    int lostSize = batchSizeAt(lostSegment, lostLocal);
    int writtenSize = batchSizeAt(newSegment, 0);
    writeAt(lostSegment, lostLocal, new byte[lostSize]);
    Files.delete(store.resolve("index").resolve("checkpoint"));

    Path acknowledged = dir.resolve("acknowledged");
    copyRecursively(store, acknowledged); // the new segment's batch names the lost one as synced
    assertThatThrownBy(() -> EmbeddedEventStore.open(acknowledged, SMALL_SEGMENTS))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("position " + (head - 1));

    byte[] written = readAt(newSegment, 0, writtenSize);
    setSyncedEnd(written, lostAt); // written while the lost batch's sync ran
    writeAt(newSegment, 0, written);
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      assertThat(s.headPosition()).isEqualTo(head - 2);
      assertThat(s.append("After-1", ExpectedVersion.NO_STREAM, events((int) head - 2, 1)).firstPosition()).isEqualTo(head - 1);
      assertWholeStoreConsistent(s, (int) head - 1);
    }
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      assertWholeStoreConsistent(s, (int) head - 1);
    }

    // The log went on at the start of the new segment, whose first batch names that start as synced,
    // beyond the last batch of the old one. A crash tearing that batch is still a torn tail, also
    // when the whole log is replayed.
    assertThat(batchOffsetOf(store, head - 1, bits)).isEqualTo(writtenAt);
    flipByte(newSegment, 100);
    deleteRecursively(store.resolve("index"));
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      assertWholeStoreConsistent(s, (int) head - 2);
    }
  }

  /**
   * A group that looks large while planning (a refused 300-event append in it) but writes one event is
   * synced in place, after the pipelined group before it: its batch must name that group as synced,
   * not the end before it (recovery reads what later batches say was synced). Made deterministic by
   * holding syncs: 4,097 appends (the most a group takes) form the pipelined group, and the two after
   * them the next one, planned while its sync is held.
   */
  @Test
  void aSmallGroupAfterAPipelinedOneNamesItAsSynced() throws Exception {
    Path store = dir.resolve("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      s.append("Big-1", ExpectedVersion.NO_STREAM, events(0, 1));
      java.util.concurrent.CountDownLatch firstRelease = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch firstWaiting = new java.util.concurrent.CountDownLatch(1);
      s.holdSyncs(firstRelease, firstWaiting);
      java.util.concurrent.CompletableFuture<AppendResult> held = s.appendAsync("Held-1", ExpectedVersion.NO_STREAM, events(1, 1));
      assertThat(firstWaiting.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue(); // the writer syncs in place, held
      List<java.util.concurrent.CompletableFuture<AppendResult>> many = new ArrayList<>();
      for (int k = 0; k < 4097; k++) { // a group: the one that wakes the writer and 4,096 more
        many.add(s.appendAsync("Many-" + k, ExpectedVersion.NO_STREAM, events(2 + k, 1)));
      }
      java.util.concurrent.CompletableFuture<AppendResult> small = s.appendAsync("Small-1", ExpectedVersion.NO_STREAM, events(5000, 1));
      java.util.concurrent.CompletableFuture<AppendResult> refused = s.appendAsync("Big-1", ExpectedVersion.NO_STREAM, events(5001, 300));
      java.util.concurrent.CountDownLatch secondRelease = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch secondWaiting = new java.util.concurrent.CountDownLatch(1);
      s.holdSyncs(secondRelease, secondWaiting); // for the next sync: the 4,096 appends' group
      firstRelease.countDown();
      assertThat(secondWaiting.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      // Give the writer time to index the 4,097 appends and plan the next two while that sync is held (on
      // a much slower machine it may not get there, and the test then passes without showing anything)
      Thread.sleep(300);
      secondRelease.countDown();
      held.join();
      many.forEach(java.util.concurrent.CompletableFuture::join);
      assertThat(small.join().firstPosition()).isEqualTo(4100);
      assertThatThrownBy(refused::join).hasCauseInstanceOf(io.factum.api.WrongExpectedVersionException.class);
    }
    List<BatchFormat.Header> all = batchesOf(store);
    BatchFormat.Header last = all.get(all.size() - 1);
    assertThat(new String(last.streamId(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("Small-1");
    assertThat(last.syncedEnd()).as("the small batch names the pipelined group before it as synced").isEqualTo(last.localOffset());
  }

  @Test
  void everyBatchNamesAnEarlierBatchBoundaryAsSynced() throws IOException {
    Path store = dir.resolve("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      fillStore(s, 30);
    }
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      fillStore(s, 30); // the first batch after a reopen names the recovered end
    }
    int sequential = 0;
    for (BatchFormat.Header h : batchesOf(store)) {
      assertThat(h.syncedEnd()).as("batch at %d", h.localOffset()).isEqualTo(h.localOffset()); // each append synced before the next
      sequential++;
    }
    assertThat(sequential).isEqualTo(60);

    // Pipelined groups: batches are written while earlier groups sync, never naming unsynced data.
    // Syncs are held until every append is queued, so groups of several appends form behind them.
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      s.holdSyncs(release);
      List<java.util.concurrent.CompletableFuture<AppendResult>> pending = new ArrayList<>();
      for (int k = 0; k < 40; k++) {
        pending.add(s.appendAsync("Big-" + (k % 4), ExpectedVersion.ANY, events(0, 300)));
      }
      release.countDown();
      pending.forEach(java.util.concurrent.CompletableFuture::join);
    }
    List<BatchFormat.Header> all = batchesOf(store);
    java.util.Set<Long> boundaries = new java.util.HashSet<>();
    long previous = 0;
    for (BatchFormat.Header h : all) {
      boundaries.add((long) h.localOffset());
      assertThat(h.syncedEnd()).as("batch at %d", h.localOffset()).isLessThanOrEqualTo(h.localOffset()).isGreaterThanOrEqualTo(previous);
      assertThat(boundaries).as("a batch boundary").contains(h.syncedEnd());
      previous = h.syncedEnd();
    }
    assertThat(all).hasSize(100);
    // A group's later batches were written after its first, before the group synced.
    assertThat(all.subList(60, 100)).anyMatch(h -> h.syncedEnd() < h.localOffset());
  }

  /** The headers of every batch of a store's first segment, in order. */
  private static List<BatchFormat.Header> batchesOf(Path store) throws IOException {
    ByteBuffer segment = ByteBuffer.wrap(Files.readAllBytes(store.resolve("log").resolve("segment-000000.log")))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    List<BatchFormat.Header> out = new ArrayList<>();
    for (int at = 0; !BatchFormat.isZeroHeader(segment, at); at = out.get(out.size() - 1).nextBatchOffset()) {
      out.add(readHeader(segment, at));
    }
    return out;
  }

  /** A store written before batch headers named the synced end: its batches are still read, and appended to. */
  @Test
  void batchesOfFormatOneAreStillRead() throws IOException {
    Path store = formatOneStore("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertThat(s.readStream("Old-1", 1, 10)).singleElement().satisfies(e -> {
        assertThat(e.globalPosition()).isEqualTo(1);
        assertThat(io.factum.tck.Fixtures.tree(e.data()).get("n").asInt()).isZero();
      });
      s.append("Old-1", ExpectedVersion.exactly(1), events(1, 1));
    }
    Files.delete(store.resolve("index").resolve("checkpoint")); // a crash: replay both formats
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertWholeStoreConsistent(s, 2);
    }
  }

  /** An older Factum killed while writing left a torn format-1 batch: its intact header is no evidence of durability. */
  @Test
  void aTornFormatOneBatchIsErased() throws IOException {
    Path store = formatOneStore("s");
    flipByte(store.resolve("log").resolve("segment-000000.log"), 100); // inside the event, after the header
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertThat(s.headPosition()).isZero();
      assertThat(s.append("Old-1", ExpectedVersion.NO_STREAM, events(0, 1)).firstPosition()).isEqualTo(1);
    }
  }

  /** The same, with the torn format-1 batch the first of a new segment. */
  @Test
  void aTornFormatOneBatchOpeningASegmentIsErased() throws IOException {
    Path store = dir.resolve("s");
    long head = storeEndingInANewSegment(store);
    long at = batchOffsetOf(store, head, 16);
    assertThat(at & 0xFFFF).isZero();
    Path segment = store.resolve("log").resolve(String.format("segment-%06d.log", at >>> 16));
    byte[] v2 = readAt(segment, 0, batchSizeAt(segment, 0));
    writeAt(segment, 0, new byte[v2.length]);
    writeAt(segment, 0, toFormatOne(v2));
    flipByte(segment, 100); // its event torn, its header intact
    Files.delete(store.resolve("index").resolve("checkpoint"));
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      assertWholeStoreConsistent(s, (int) head - 1);
    }
  }

  /** A store refused by recovery keeps its format, so the Factum that wrote it can still open it. */
  @Test
  void aStoreRefusedByRecoveryKeepsItsFormat() throws IOException {
    Path store = formatOneStore("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      s.append("New-1", ExpectedVersion.NO_STREAM, events(1, 1)); // a format-2 batch after the format-1 one
    }
    flipByte(store.resolve("log").resolve("segment-000000.log"), 100); // damage the format-1 batch
    Files.delete(store.resolve("index").resolve("checkpoint"));
    Path properties = store.resolve("store.properties");
    Files.writeString(properties, Files.readString(properties).replace("format=2", "format=1"));
    assertThatThrownBy(() -> EmbeddedEventStore.open(store)).isInstanceOf(StorageException.class).hasMessageContaining("position 1");
    assertThat(Files.readString(properties)).contains("format=1");
  }

  @Test
  void aFormatOneStoreIsMarkedFormatTwoOnOpen() throws IOException {
    Path store = dir.resolve("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      s.append("A-1", ExpectedVersion.ANY, event(1));
    }
    Path properties = store.resolve("store.properties");
    Files.writeString(properties, Files.readString(properties).replace("format=2", "format=1"));
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertThat(s.headPosition()).isEqualTo(1);
    }
    assertThat(Files.readString(properties)).contains("format=2");
  }

  @Test
  void corruptionInTheMiddleOfTheLogIsReportedWithItsPositionNeverSkipped() throws IOException {
    Path store = dir.resolve("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      for (int k = 0; k < 100; k++) {
        s.append("Order-" + k, ExpectedVersion.ANY, EventData.json("E", "{\"k\":" + k + ",\"text\":\"" + "y".repeat(100) + "\"}"));
      }
    }
    long at = offsetOfPosition(store, 50) + 60; // inside event 50's record
    flipByte(store.resolve("log").resolve("segment-000000.log"), at);

    // With the checkpoint, opening does not rescan the log: the damage surfaces when the event is read.
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertThat(s.readAll(0, 49)).hasSize(49);
      assertThatThrownBy(() -> s.readAll(0, 100)).isInstanceOf(StorageException.class).hasMessageContaining("Corrupted record");
      assertThatThrownBy(() -> s.readStream("Order-49", 1, 1)).isInstanceOf(StorageException.class);
      assertThat(s.readStream("Order-48", 1, 1)).hasSize(1);
    }
    // Without it, recovery scans the whole log and refuses to open past the damage.
    Files.delete(store.resolve("index").resolve("checkpoint"));
    assertThatThrownBy(() -> EmbeddedEventStore.open(store))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("position 50")
        .hasMessageContaining("segment-000000.log");
  }

  @Test
  void verifyChecksTheWholeLogAndChangesNothing() throws IOException {
    Path store = dir.resolve("s");
    int total;
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      total = fillStore(s, 300);
      s.checkpoints().save("projector", 7);
      assertThatThrownBy(() -> EmbeddedEventStore.verify(store, p -> {})).isInstanceOf(StorageException.class)
          .hasMessageContaining("already open in this process");
      s.append("Still-1", ExpectedVersion.NO_STREAM, event(total)); // its lock untouched: still the store's
      total++;
    }
    java.util.Map<String, byte[]> files = contentsOf(store);
    List<String> progress = new ArrayList<>();
    StoreVerification intact = EmbeddedEventStore.verify(store, progress::add);
    assertThat(contentsOf(store)).as("verify changes nothing").containsExactlyInAnyOrderEntriesOf(files);
    assertThat(intact.intact()).as(intact.problems().toString()).isTrue();
    assertThat(intact.events()).isEqualTo(total);
    assertThat(intact.batches()).isEqualTo(301);
    assertThat(intact.streams()).isEqualTo(34); // "S" + k % 3 + "-" + k % 11, and Still-1
    assertThat(intact.segments()).isGreaterThan(1).isEqualTo(progress.size());
    assertThat(intact.tornTailAt()).isEqualTo(-1);

    // A torn tail is reported, not erased.
    Path last = store.resolve("log").resolve(String.format("segment-%06d.log", intact.segments() - 1));
    long end = logEnd(store) & 0xFFFF;
    writeAt(last, end, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    StoreVerification torn = EmbeddedEventStore.verify(store, p -> {});
    assertThat(torn.intact()).isTrue();
    assertThat(torn.tornTailAt() & 0xFFFF).isEqualTo(end);
    assertThat(readAt(last, end, 9)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);

    // Corruption is reported with its position; the files stay as they were.
    long at = batchOffsetOf(store, 100, 16) + 100;
    Path damaged = store.resolve("log").resolve(String.format("segment-%06d.log", at >>> 16));
    flipByte(damaged, at & 0xFFFF);
    byte[] before = Files.readAllBytes(damaged);
    StoreVerification corrupt = EmbeddedEventStore.verify(store, p -> {});
    assertThat(corrupt.intact()).isFalse();
    assertThat(corrupt.problems()).singleElement().asString().contains("Corrupted log").contains(damaged.getFileName().toString());
    assertThat(Files.readAllBytes(damaged)).isEqualTo(before);

    assertThatThrownBy(() -> EmbeddedEventStore.verify(dir.resolve("nothing"), p -> {}))
        .isInstanceOf(StorageException.class).hasMessageContaining("not a Factum store");

    flipByte(store.resolve("checkpoints.bin"), 6); // named checkpoints the store would refuse to open with
    assertThat(EmbeddedEventStore.verify(store, p -> {}).problems()).anyMatch(p -> p.contains("checkpoints.bin"));
  }

  /** Every file of a directory tree by relative path, with its bytes. */
  private static java.util.Map<String, byte[]> contentsOf(Path root) throws IOException {
    java.util.Map<String, byte[]> out = new java.util.HashMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  @Test
  void aBackupWhileAppendingHoldsEveryEventAcknowledgedBeforeIt() throws Exception {
    Path store = dir.resolve("s");
    Path backup = dir.resolve("backup");
    long before;
    List<RecordedEvent> source = new ArrayList<>();
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      fillStore(s, 200);
      s.checkpoints().save("projector", 42);
      s.snapshots().save(new io.factum.api.Snapshot("S0-0", "Order", 1, 3, "{\"n\":3}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          java.time.Instant.now()));
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
      Thread appender = new Thread(() -> {
        try {
          for (int k = 0; !stop.get(); k++) {
            s.append("Live-" + (k % 5), ExpectedVersion.ANY, events(0, 1 + k % 7));
          }
        } catch (Throwable e) {
          failed.set(e);
        }
      });
      appender.start();
      try {
        Thread.sleep(50);
        before = s.headPosition();
        Path occupied = Files.createDirectories(dir.resolve("occupied"));
        Files.writeString(occupied.resolve("other.txt"), "x");
        assertThatThrownBy(() -> s.backup(occupied, p -> {})).isInstanceOf(StorageException.class).hasMessageContaining("not empty");
        // Whatever a projector or a snapshot names while the backup runs must not lie beyond the copy.
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        long copied = s.backup(backup, p -> {
          if (once.compareAndSet(false, true)) {
            s.append("S0-0", ExpectedVersion.ANY, events(0, 50));
            s.checkpoints().save("projector", s.headPosition());
            s.snapshots().save(new io.factum.api.Snapshot("S0-0", "Order", 1, s.streamVersion("S0-0").orElseThrow(), "{}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8), java.time.Instant.now()));
          }
        });
        assertThat(copied).isGreaterThanOrEqualTo(before);
      } finally {
        stop.set(true);
        appender.join();
      }
      assertThat(failed.get()).isNull();
      for (long after = 0; ; ) {
        List<RecordedEvent> page = s.readAll(after, 1000);
        if (page.isEmpty()) {
          break;
        }
        source.addAll(page);
        after = page.get(page.size() - 1).globalPosition();
      }
    }
    assertThat(EmbeddedEventStore.verify(backup, p -> {}).intact()).isTrue();
    try (EmbeddedEventStore copy = EmbeddedEventStore.open(backup, SMALL_SEGMENTS)) {
      long head = copy.headPosition();
      assertThat(head).isGreaterThanOrEqualTo(before).isLessThanOrEqualTo(source.size());
      List<RecordedEvent> copied = copy.readAll(0, Integer.MAX_VALUE);
      assertThat(copied).containsExactlyElementsOf(source.subList(0, (int) head));
      assertThat(copy.checkpoints().load("projector").orElseThrow()).isLessThanOrEqualTo(head);
      assertThat(copy.snapshots().load("S0-0").orElseThrow().version()).isLessThanOrEqualTo(copy.streamVersion("S0-0").orElseThrow());
      copy.append("After-backup", ExpectedVersion.NO_STREAM, events(0, 1)); // a store of its own
    }

    // A closed store is copied as it is, and left as it was.
    java.util.Map<String, byte[]> files = contentsOf(store);
    Path closedCopy = dir.resolve("closed-backup");
    EmbeddedEventStore.backup(store, closedCopy, p -> {});
    assertThat(contentsOf(store)).as("the source is unchanged").containsExactlyInAnyOrderEntriesOf(files);
    assertThat(EmbeddedEventStore.verify(closedCopy, p -> {}).events()).isEqualTo(source.size());
    try (EmbeddedEventStore copy = EmbeddedEventStore.open(closedCopy, SMALL_SEGMENTS)) {
      assertThat(copy.readAll(0, Integer.MAX_VALUE)).containsExactlyElementsOf(source);
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryFailsClearly() {
    Path store = dir.resolve("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertThatThrownBy(() -> EmbeddedEventStore.open(store))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("already open")
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
      s.append("Still-1", ExpectedVersion.ANY, event(1));
    }
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      assertThat(s.headPosition()).isEqualTo(1);
    }
  }

  @Test
  void aDirectoryOfOtherFilesIsNotTurnedIntoAStore() throws IOException {
    Path documents = dir.resolve("documents");
    Files.createDirectories(documents);
    Files.writeString(documents.resolve("letter.txt"), "dear store");
    assertThatThrownBy(() -> EmbeddedEventStore.open(documents)).isInstanceOf(StorageException.class)
        .hasMessageContaining("not a Factum store").hasMessageContaining("letter.txt");
    try (java.util.stream.Stream<Path> left = Files.list(documents)) {
      assertThat(left).as("nothing added").extracting(p -> p.getFileName().toString()).containsExactly("letter.txt");
    }
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    EmbeddedEventStore.open(empty).close(); // an empty directory becomes a store
    EmbeddedEventStore.open(empty).close(); // and opens again as one

    // A creation interrupted before its last step (store.properties; a full disk, a power cut) is
    // finished by the next open, not taken for a foreign directory.
    Path interrupted = dir.resolve("interrupted");
    Files.createDirectories(interrupted.resolve("log"));
    Files.createDirectories(interrupted.resolve("index"));
    Files.writeString(interrupted.resolve("LOCK"), "pid 1\n");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(interrupted)) {
      assertThat(s.append("After-1", ExpectedVersion.NO_STREAM, events(0, 1)).firstPosition()).isEqualTo(1);
    }
  }

  @Test
  void aDamagedStoreIsReportedByVerifyNotLeftUnchecked() throws IOException {
    Path store = dir.resolve("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, EmbeddedOptions.DEFAULT.withSegmentSizeBits(16))) {
      for (int k = 0; k < 3; k++) {
        s.append("Big-" + k, ExpectedVersion.NO_STREAM, events(k * 100 + 1, 150)); // several segments
      }
    }
    Path first = store.resolve("log").resolve("segment-000000.log");
    Path moved = dir.resolve("segment-000000.log");
    Files.move(first, moved);
    StoreVerification missing = EmbeddedEventStore.verify(store, p -> {});
    assertThat(missing.intact()).isFalse();
    assertThat(missing.problems()).singleElement().asString().contains("segment-000000.log is missing");
    Files.move(moved, first);

    String properties = Files.readString(store.resolve("store.properties"));
    Files.writeString(store.resolve("store.properties"), "format=2\n");
    StoreVerification noGeometry = EmbeddedEventStore.verify(store, p -> {});
    assertThat(noGeometry.intact()).isFalse();
    assertThat(noGeometry.problems()).singleElement().asString().contains("segmentSizeBits");
    Files.writeString(store.resolve("store.properties"), properties);
    assertThat(EmbeddedEventStore.verify(store, p -> {}).intact()).isTrue();
  }

  @Test
  void aBackupIsNeverWrittenIntoTheStoreItCopies() throws IOException {
    Path store = dir.resolve("s");
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      s.append("Order-1", ExpectedVersion.NO_STREAM, event(1));
      assertThatThrownBy(() -> s.backup(store.resolve("bk"), p -> {})).isInstanceOf(StorageException.class).hasMessageContaining("inside");
    }
    assertThatThrownBy(() -> EmbeddedEventStore.backup(store, store.resolve("log").resolve("bk"), p -> {}))
        .isInstanceOf(StorageException.class).hasMessageContaining("inside");
    assertThatThrownBy(() -> EmbeddedEventStore.backup(store, dir, p -> {})).isInstanceOf(StorageException.class).hasMessageContaining("around");
    assertThat(store.resolve("bk")).doesNotExist();
    assertThat(store.resolve("log").resolve("bk")).doesNotExist();
  }

  @Test
  void aStoreFromANewerFactumIsRefused() throws IOException {
    Path store = dir.resolve("s");
    EmbeddedEventStore.open(store).close();
    Files.writeString(store.resolve("store.properties"), "format=99\nsegmentSizeBits=28\n");
    assertThatThrownBy(() -> EmbeddedEventStore.open(store)).isInstanceOf(StorageException.class).hasMessageContaining("newer Factum");
  }

  @Test
  void everyVersionOfALongStreamIsFoundFromAnyStartInBothDirections() {
    try (EmbeddedEventStore s = EmbeddedEventStore.open(dir.resolve("s"))) {
      int version = 0;
      Random random = new Random(3);
      while (version < 1000) { // a mix of single events and batches that straddle the 64-version anchors
        int count = random.nextInt(4) == 0 ? 1 + random.nextInt(150) : 1;
        s.append("Long-1", ExpectedVersion.exactly(version), events(version, count));
        s.append("Noise-" + (version % 7), ExpectedVersion.ANY, event(version));
        version += count;
      }
      for (int from = 1; from <= version; from += 1 + random.nextInt(9)) {
        List<RecordedEvent> page = s.readStream("Long-1", from, 70);
        assertThat(page).isNotEmpty();
        for (int k = 0; k < page.size(); k++) {
          assertThat(page.get(k).version()).isEqualTo(from + k);
        }
        List<RecordedEvent> back = s.readStreamBackward("Long-1", from, 70);
        for (int k = 0; k < back.size(); k++) {
          assertThat(back.get(k).version()).isEqualTo(from - k);
        }
        assertThat(back).hasSize(Math.min(70, from));
      }
      assertThat(s.streamVersion("Long-1")).hasValue(version);
    }
  }

  @Test
  void aTinyStreamCacheStillChecksVersionsExactly() {
    try (EmbeddedEventStore s = EmbeddedEventStore.open(dir.resolve("s"), EmbeddedOptions.DEFAULT.withStreamCacheSize(2))) {
      for (int round = 1; round <= 5; round++) {
        for (int k = 0; k < 20; k++) {
          s.append("Cold-" + k, ExpectedVersion.exactly(round - 1), event(k));
        }
      }
      assertThat(s.streamVersion("Cold-7")).hasValue(5);
    }
  }

  @Test
  void anInterruptedReaderDoesNotBreakTheStore() {
    try (EmbeddedEventStore s = EmbeddedEventStore.open(dir.resolve("s"))) {
      s.append("Order-1", ExpectedVersion.ANY, events(0, 10));
      Thread.currentThread().interrupt();
      try {
        assertThat(s.readAll(0, 100)).hasSize(10);
        assertThat(s.readStream("Order-1", 1, 100)).hasSize(10);
        assertThat(s.append("Order-1", ExpectedVersion.exactly(10), event(10)).lastVersion()).isEqualTo(11);
      } finally {
        Thread.interrupted();
      }
      assertThat(s.readAll(0, 100)).hasSize(11);
    }
  }

  @Test
  void anAppendTooLargeForTheSegmentIsRejectedWithoutWriting() {
    EmbeddedOptions options = EmbeddedOptions.DEFAULT.withSegmentSizeBits(16).withLimits(new StoreLimits(40_000, 100_000));
    try (EmbeddedEventStore s = EmbeddedEventStore.open(dir.resolve("s"), options)) {
      List<EventData> big = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        big.add(EventData.json("Big", "\"" + "z".repeat(30_000) + "\""));
      }
      assertThatThrownBy(() -> s.append("Big-1", ExpectedVersion.ANY, big))
          .isInstanceOf(io.factum.api.InvalidEventException.class).hasMessageContaining("split it");
      assertThat(s.headPosition()).isZero();
      s.append("Big-1", ExpectedVersion.ANY, big.subList(0, 1));
      assertThat(s.headPosition()).isEqualTo(1);
    }
  }

  // ---------------------------------------------------------------- file helpers

  /**
   * A store of {@code total} events, closed cleanly, plus the bytes of the two batches a copy of it
   * appended next ("Lost-1", 5 events, then "Written-1", 3 events), as the pieces of a power cut.
   */
  private record PowerCut(Path store, Path segment, int total, long end, long secondStart, byte[] firstBatch, byte[] secondBatch) {}

  private PowerCut powerCut(String name) throws IOException {
    Path store = dir.resolve(name);
    int total;
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      total = fillStore(s, 20);
    }
    long end = logEnd(store);
    Path copy = dir.resolve(name + "-copy");
    copyRecursively(store, copy);
    try (EmbeddedEventStore s = EmbeddedEventStore.open(copy)) {
      s.append("Lost-1", ExpectedVersion.ANY, events(0, 5));
      s.append("Written-1", ExpectedVersion.ANY, events(5, 3));
    }
    Path copySegment = copy.resolve("log").resolve("segment-000000.log");
    byte[] appended = readAt(copySegment, end, (int) (logEnd(copy) - end));
    int firstSize = BatchFormat.align8(ByteBuffer.wrap(appended).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(4));
    return new PowerCut(store, store.resolve("log").resolve("segment-000000.log"), total, end, end + firstSize,
        java.util.Arrays.copyOf(appended, firstSize), java.util.Arrays.copyOfRange(appended, firstSize, appended.length));
  }

  /** The logical offset of the batch holding an event: the event's offset minus its back-reference. */
  private static long batchOffsetOf(Path store, long position, int segmentBits) throws IOException {
    long event = offsetOfPosition(store, position);
    Path segment = store.resolve("log").resolve(String.format("segment-%06d.log", event >>> segmentBits));
    int local = (int) (event & ((1L << segmentBits) - 1));
    return event - ByteBuffer.wrap(readAt(segment, local + 8, 4)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
  }

  /**
   * Fills a store in 64 KiB segments, then appends one event at a time until one opens a new segment,
   * so its last batch is the first of the last segment; returns the head position.
   */
  private int storeEndingInANewSegment(Path store) throws IOException {
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, SMALL_SEGMENTS)) {
      int n = fillStore(s, 40);
      long segments = segmentFiles(store);
      while (segmentFiles(store) == segments) {
        s.append("Roll-" + n, ExpectedVersion.ANY, events(n, 1));
        n++;
      }
      return n;
    }
  }

  /** The padded size of the batch at a segment's local offset, from its header's length field. */
  private static int batchSizeAt(Path segment, long local) throws IOException {
    return BatchFormat.align8(ByteBuffer.wrap(readAt(segment, local, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(4));
  }

  private static long segmentFiles(Path store) throws IOException {
    try (Stream<Path> files = Files.list(store.resolve("log"))) {
      return files.count();
    }
  }

  /** A store holding one event, "Old-1" version 1, in a format-1 batch, marked format 1, without indexes. */
  private Path formatOneStore(String name) throws IOException {
    Path store = dir.resolve(name);
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store)) {
      s.append("Old-1", ExpectedVersion.NO_STREAM, events(0, 1));
    }
    Path segment = store.resolve("log").resolve("segment-000000.log");
    byte[] v2 = readAt(segment, 0, (int) logEnd(store));
    writeAt(segment, 0, new byte[v2.length]);
    writeAt(segment, 0, toFormatOne(v2));
    Path properties = store.resolve("store.properties");
    Files.writeString(properties, Files.readString(properties).replace("format=2", "format=1"));
    deleteRecursively(store.resolve("index")); // its offsets were the format-2 batch's
    return store;
  }

  /**
   * Re-encodes a batch of one event in format 1: magic 0xFA01, stream id at 54 (no synced end), the
   * event's back-reference, checksum and the header's checksums recomputed.
   */
  private static byte[] toFormatOne(byte[] v2) {
    ByteBuffer in = ByteBuffer.wrap(v2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int streamLength = Short.toUnsignedInt(in.getShort(52));
    int v2Header = BatchFormat.align8(64 + streamLength);
    int v1Header = BatchFormat.align8(54 + streamLength);
    int eventsLength = in.getInt(4) - v2Header;
    ByteBuffer out = ByteBuffer.allocate(v1Header + eventsLength).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    out.put(0, v2, 0, 54);
    out.put(54, v2, 64, streamLength);
    out.put(v1Header, v2, v2Header, eventsLength);
    out.putInt(4, v1Header + eventsLength);
    out.putShort(8, (short) 0xFA01);
    out.putShort(10, (short) (54 + streamLength));
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    out.putInt(v1Header + 8, v1Header); // back-reference: event offset minus batch offset
    crc.update(out.array(), v1Header + 4, out.getInt(v1Header + 4) - 4);
    int eventCrc = (int) crc.getValue();
    out.putInt(v1Header, eventCrc);
    crc.reset();
    crc.update(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, eventCrc).array());
    out.putInt(48, (int) crc.getValue());
    crc.reset();
    crc.update(out.array(), 4, 54 + streamLength - 4);
    out.putInt(0, (int) crc.getValue());
    return out.array();
  }

  /** Rewrites a batch's synced end (bytes 56–63 of its header) and the header's checksum. */
  private static void setSyncedEnd(byte[] batch, long syncedEnd) {
    ByteBuffer b = ByteBuffer.wrap(batch).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(56, syncedEnd);
    int headerLength = Short.toUnsignedInt(b.getShort(10));
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(batch, 4, headerLength - 4);
    b.putInt(0, (int) crc.getValue());
  }

  private static BatchFormat.Header readHeader(ByteBuffer segment, int at) {
    try {
      return BatchFormat.readHeader(segment, at, new java.util.zip.CRC32C());
    } catch (BatchFormat.Invalid e) {
      throw new AssertionError(e);
    }
  }


  private static long logEnd(Path store) throws IOException {
    for (String line : Files.readAllLines(store.resolve("index").resolve("checkpoint"))) {
      if (line.startsWith("logEnd=")) {
        return Long.parseLong(line.substring(7));
      }
    }
    throw new AssertionError("no logEnd in checkpoint");
  }

  private static long offsetOfPosition(Path store, long position) throws IOException {
    try (FileChannel ch = FileChannel.open(store.resolve("index").resolve("positions-000000.pos"), StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      ch.read(b, (position - 1) * 16);
      return b.getLong(0);
    }
  }

  private static void writeAt(Path file, long at, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes), at);
    }
  }

  private static byte[] readAt(Path file, long at, int length) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(length);
      ch.read(b, at);
      return b.array();
    }
  }

  private static void flipByte(Path file, long at) throws IOException {
    byte[] b = readAt(file, at, 1);
    b[0] ^= 0x5A;
    writeAt(file, at, b);
  }

  static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void copyRecursively(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, target);
        }
      }
    }
  }
}
