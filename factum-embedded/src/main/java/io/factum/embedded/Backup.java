package io.factum.embedded;

import io.factum.api.StorageException;
import io.factum.embedded.log.SegmentedLog;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Copies a store into a new directory: named checkpoints and snapshots first (each file is replaced
 * atomically, so a copy is a whole version), then the log. Of a running store, the log is copied up
 * to the published end read <em>after</em> the checkpoints and snapshots — synced, never rewritten,
 * and beyond every position they can name — so the copy is consistent while appends go on. Of a
 * closed store, every segment is copied up to its last written byte, as it is: the copy recovers as
 * the original would. {@code store.properties} comes last, so an interrupted copy is not a store. The
 * copy has no index; it rebuilds it when first opened.
 */
final class Backup {

  private Backup() {}

  /** A running store: everything acknowledged before the call (see the class comment). */
  static GroupCommitWriter.Published copyRunning(StoreDirectory dir, SegmentedLog log, Supplier<GroupCommitWriter.Published> published,
      Path target, Consumer<String> progress) throws IOException {
    startCopy(dir.root, target);
    copyCheckpointsAndSnapshots(dir.root, target, progress);
    GroupCommitWriter.Published state = published.get();
    long end = state.logEnd();
    int segments = end == 0 ? 0 : log.segmentOf(end - 1) + 1;
    copyLog(log, segments, s -> s < log.segmentOf(end) ? log.segmentSize() : log.localOffset(end), target, progress);
    StoreDirectory.writeProperties(target, dir.segmentSizeBits);
    DurableFiles.forceDirectory(target.toAbsolutePath().getParent());
    return state;
  }

  /** A store that is not open anywhere: its files as they are, changing nothing in it. */
  static void copyClosed(Path dir, Path target, Consumer<String> progress) throws IOException {
    int segmentBits = StoreDirectory.segmentSizeBitsOf(dir);
    try (StoreDirectory.ReadingLock lock = StoreDirectory.lockForReading(dir);
        SegmentedLog log = SegmentedLog.openReadOnly(dir.resolve("log"), segmentBits)) {
      startCopy(dir, target);
      copyCheckpointsAndSnapshots(dir, target, progress);
      copyLog(log, log.segmentCount(), s -> dataEnd(log.segment((int) s)), target, progress);
      copyFile(dir.resolve("store.properties"), target.resolve("store.properties"), Files.size(dir.resolve("store.properties")));
      DurableFiles.forceDirectory(target);
      DurableFiles.forceDirectory(target.toAbsolutePath().getParent());
    }
  }

  private static void startCopy(Path store, Path target) throws IOException {
    Path from = store.toAbsolutePath().normalize();
    Path to = target.toAbsolutePath().normalize();
    if (to.startsWith(from) || from.startsWith(to)) {
      throw new StorageException("The backup target " + target + " lies " + (to.startsWith(from) ? "inside" : "around")
          + " the store " + store + "; back up into a directory outside it");
    }
    if (Files.exists(target)) {
      try (Stream<Path> entries = Files.list(target)) {
        if (entries.findAny().isPresent()) {
          throw new StorageException(target + " is not empty; back up into a new or empty directory");
        }
      }
    }
    Files.createDirectories(target.resolve("log"));
  }

  private static void copyLog(SegmentedLog log, int segments, LongUnaryOperator lengthOf, Path target, Consumer<String> progress)
      throws IOException {
    Path targetLog = target.resolve("log");
    for (int s = 0; s < segments; s++) {
      copyFile(log.pathOf(s), targetLog.resolve(log.pathOf(s).getFileName()), lengthOf.applyAsLong(s));
      progress.accept(String.format("segment %d of %d copied", s + 1, segments));
    }
    DurableFiles.forceDirectory(targetLog);
  }

  private static void copyCheckpointsAndSnapshots(Path root, Path target, Consumer<String> progress) throws IOException {
    Path checkpoints = root.resolve("checkpoints.bin");
    if (Files.exists(checkpoints)) {
      Files.copy(checkpoints, target.resolve("checkpoints.bin"));
      DurableFiles.forceFile(target.resolve("checkpoints.bin"));
    }
    Path snapshots = root.resolve("snapshots");
    if (!Files.isDirectory(snapshots)) {
      return;
    }
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(snapshots, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        if (file.getFileName().toString().endsWith(".snap")) {
          files.add(file);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // a temporary file renamed, or a snapshot deleted, meanwhile
        }
        throw e;
      }
    });
    for (Path file : files) {
      Path to = target.resolve("snapshots").resolve(snapshots.relativize(file).toString());
      Files.createDirectories(to.getParent());
      try {
        Files.copy(file, to);
      } catch (NoSuchFileException deletedMeanwhile) {
        continue; // the copy has no snapshot of that stream, as if taken a moment later
      }
      DurableFiles.forceFile(to);
      DurableFiles.forceDirectory(to.getParent());
    }
    DurableFiles.forceDirectory(target.resolve("snapshots"));
    progress.accept(files.size() + " snapshots copied");
  }

  private static int dataEnd(java.nio.ByteBuffer segment) {
    return SegmentedLog.endOfData(segment, 0, segment.capacity());
  }

  private static void copyFile(Path from, Path to, long length) throws IOException {
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long at = 0; at < length; ) {
        long copied = in.transferTo(at, length - at, out);
        if (copied <= 0) {
          throw new IOException(from + " ended at " + at + " bytes, before the " + length + " to copy");
        }
        at += copied;
      }
      out.force(true);
    }
  }
}
