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
