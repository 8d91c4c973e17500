package io.factum.embedded;

import io.factum.api.StorageException;
import io.factum.embedded.index.Checkpoint;
import io.factum.embedded.log.BatchFormat;
import io.factum.embedded.log.SegmentedLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads a closed store's whole log the way recovery does, without indexing, erasing or writing
 * anything (a shared lock keeps the store from being opened meanwhile), and also checks that every
 * stream's versions follow on and that the named checkpoints are readable.
 */
final class LogVerifier {

  private LogVerifier() {}

  static StoreVerification verify(Path dir, Consumer<String> progress) {
    Objects.requireNonNull(progress, "progress");
    int segmentBits;
    try {
      segmentBits = StoreDirectory.segmentSizeBitsOf(dir);
    } catch (StorageException e) {
      String damage = StoreDirectory.damagedProperties(dir);
      if (damage == null) {
        throw e; // not a store, or one of a newer format: nothing this version can check
      }
      return damaged(damage);
    }
    try (StoreDirectory.ReadingLock lock = StoreDirectory.lockForReading(dir)) {
      SegmentedLog log;
      try {
        log = SegmentedLog.openReadOnly(dir.resolve("log"), segmentBits);
      } catch (StorageException | java.nio.file.NoSuchFileException damaged) { // a missing segment, or no log at all
        return damaged(damaged instanceof java.nio.file.NoSuchFileException
            ? "The store's log directory " + dir.resolve("log") + " is missing; restore the store from a backup" : damaged.getMessage());
      }
      try (log) {
        return check(dir, log, segmentBits, progress);
      }
    } catch (IOException e) {
      throw new StorageException("Cannot verify the store in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A store whose damage keeps its log from being read at all. */
  private static StoreVerification damaged(String problem) {
    return new StoreVerification(0, 0, 0, 0, -1, List.of(problem));
  }

  private static StoreVerification check(Path dir, SegmentedLog log, int segmentBits, Consumer<String> progress) throws IOException {
    Checker checker = new Checker(log, progress);
    List<String> problems = checker.problems;
    Checkpoint checkpoint = null;
    try {
      checkpoint = Checkpoint.read(dir.resolve("index").resolve("checkpoint"));
    } catch (IOException | RuntimeException damaged) {
      // the index is rebuilt on open; it says nothing about the log
    }
    // As on open: after a clean close nothing unsynced can lie after the log's end, so it is not looked at.
    boolean cleanlyClosed = checkpoint != null && checkpoint.clean();
    Recovery.Replay replay = new Recovery.Replay(log, EmbeddedEventStore.maxGroupBytes(segmentBits), cleanlyClosed, checker, false);
    try {
      replay.run(0, 0);
    } catch (StorageException e) {
      problems.add(e.getMessage());
    }
    try {
      new FileCheckpointStore(dir.resolve("checkpoints.bin"), () -> {});
    } catch (IOException | RuntimeException e) {
      problems.add(e.getMessage());
    }
    return new StoreVerification(checker.events, checker.batches, checker.versions.size(), log.segmentCount(), replay.tornTailAt, problems);
  }

  /** Counts, checks stream versions, and reports progress once per segment. */
  private static final class Checker implements Recovery.BatchSink {
    final SegmentedLog log;
    final Consumer<String> progress;
    final Map<String, Long> versions = new HashMap<>();
    final List<String> problems = new ArrayList<>();
    long events;
    long batches;
    int segment = -1;

    Checker(SegmentedLog log, Consumer<String> progress) {
      this.log = log;
      this.progress = progress;
    }

    @Override
    public void accept(int segment, BatchFormat.Header h, int[] eventOffsets) {
      if (segment != this.segment) {
        this.segment = segment;
        progress.accept(String.format("segment %d of %d, %,d events so far", segment + 1, log.segmentCount(), events));
      }
      String stream = new String(h.streamId(), StandardCharsets.UTF_8);
      long last = versions.getOrDefault(stream, 0L);
      if (h.firstVersion() != last + 1) {
        problems.add("Stream '" + stream + "' jumps from version " + last + " to " + h.firstVersion() + " at position "
            + h.firstPosition() + " (" + log.pathOf(segment) + ", offset " + h.localOffset() + ")");
      }
      versions.put(stream, h.lastVersion());
      events += h.count();
      batches++;
    }
  }
}
