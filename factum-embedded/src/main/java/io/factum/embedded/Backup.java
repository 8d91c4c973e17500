package io.factum.embedded;

import io.factum.api.StorageException;
import io.factum.embedded.log.SegmentedLog;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Copies a running store: the log up to its published end — synced and never rewritten, so the copy
 * is consistent while appends go on — plus named checkpoints and snapshots (each replaced atomically,
 * so a copy sees a whole version). No index: the copy rebuilds it from its log when first opened.
 */
final class Backup {

  private Backup() {}

  static void copy(StoreDirectory dir, SegmentedLog log, GroupCommitWriter.Published state, Path target, Consumer<String> progress)
      throws IOException {
    if (Files.exists(target)) {
      try (Stream<Path> entries = Files.list(target)) {
        if (entries.findAny().isPresent()) {
          throw new StorageException(target + " is not empty; back up into a new or empty directory");
        }
      }
    }
    Path targetLog = target.resolve("log");
    Files.createDirectories(targetLog);
    long end = state.logEnd();
    int segments = end == 0 ? 0 : log.segmentOf(end - 1) + 1;
    for (int s = 0; s < segments; s++) {
      long length = s < log.segmentOf(end) ? log.segmentSize() : log.localOffset(end);
      Path to = targetLog.resolve(log.pathOf(s).getFileName());
      try (FileChannel in = FileChannel.open(log.pathOf(s), StandardOpenOption.READ);
          FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        for (long at = 0; at < length; ) {
          at += in.transferTo(at, length - at, out);
        }
        out.force(true);
      }
      progress.accept(String.format("segment %d of %d copied", s + 1, segments));
    }
    Path checkpoints = dir.root.resolve("checkpoints.bin");
    if (Files.exists(checkpoints)) {
      Files.copy(checkpoints, target.resolve("checkpoints.bin"));
      force(target.resolve("checkpoints.bin"));
    }
    Path snapshots = dir.root.resolve("snapshots");
    if (Files.isDirectory(snapshots)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(snapshots)) {
        files = walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".snap")).toList();
      }
      for (Path file : files) {
        Path to = target.resolve("snapshots").resolve(snapshots.relativize(file).toString());
        Files.createDirectories(to.getParent());
        try {
          Files.copy(file, to);
        } catch (java.nio.file.NoSuchFileException replacedMeanwhile) {
          continue; // deleted since listed: the copy has no snapshot of that stream, as if taken later
        }
        force(to);
        forceDirectory(to.getParent());
      }
      progress.accept(files.size() + " snapshots copied");
    }
    forceDirectory(targetLog);
    // Last, so that an interrupted backup is not a store: store.properties marks a complete copy.
    StoreDirectory.writeProperties(target, dir.segmentSizeBits);
  }

  private static void force(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
