package io.factum.embedded;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StorageException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs inside a small, freshly mounted tmpfs (see {@link DiskFullTest}): fills the disk, checks that
 * appends fail cleanly and the store stays readable, frees space, checks that appends work again, and
 * prints {@code OK …} or {@code FAIL …}.
 */
public final class DiskFullChild {

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    Path storeDir = root.resolve("store");
    Path filler = root.resolve("filler");
    String payload = "\"" + "p".repeat(4000) + "\"";
    try (EmbeddedEventStore store = EmbeddedEventStore.open(storeDir)) {
      store.append("Disk-1", ExpectedVersion.NO_STREAM, EventData.json("Before", payload));
      fillDisk(filler, 256 * 1024);
      Filled filled = appendUntilFull(store, "Disk-1", 1, payload);
      long acked = filled.acked();
      StorageException full = filled.failure();
      check(full != null, "the disk never filled up");
      check(full.getMessage().contains("disk is full"), "unhelpful message: " + full.getMessage());
      check(store.headPosition() == acked, "head " + store.headPosition() + " after " + acked + " acknowledged appends");
      check(store.readStream("Disk-1", 1, Integer.MAX_VALUE).size() == acked, "acknowledged events not all readable");
      try {
        store.append("Disk-1", ExpectedVersion.exactly(acked), EventData.json("StillFull", payload));
        fail("an append succeeded on a full disk");
      } catch (StorageException expected) {
        check(store.headPosition() == acked, "a failed append moved the head");
      }
      Files.delete(filler);
      store.append("Disk-1", ExpectedVersion.exactly(acked), EventData.json("AfterSpaceReturned", payload));
      check(store.headPosition() == acked + 1, "append after freeing space did not land at " + (acked + 1));
      System.out.println("OK\t" + acked + "\t" + full.getMessage().replace('\n', ' '));
    }
    try (EmbeddedEventStore store = EmbeddedEventStore.open(storeDir)) {
      check(store.streamVersion("Disk-1").orElse(0) == store.headPosition(), "reopened store lost events");
      check(store.readAll(0, Integer.MAX_VALUE).size() == store.headPosition(), "reopened store has a hole");
    }
    rollIntoAFullDisk(root.resolve("rolling"), filler, payload);
  }

  /**
   * The disk fills up exactly when the log needs its next segment (1 MiB segments, the current one
   * already zero-filled to its end): creating the segment fails, and once space returns the next
   * append must create it after all, without a reopen.
   */
  private static void rollIntoAFullDisk(Path storeDir, Path filler, String payload) throws IOException {
    Path nextSegment = storeDir.resolve("log").resolve("segment-000002.log");
    try (EmbeddedEventStore store = EmbeddedEventStore.open(storeDir, EmbeddedOptions.DEFAULT.withSegmentSizeBits(20))) {
      long acked = 0;
      while (!Files.exists(storeDir.resolve("log").resolve("segment-000001.log"))) {
        store.append("Roll-1", ExpectedVersion.exactly(acked), EventData.json("Filling", payload));
        acked++;
      }
      fillDisk(filler, 0);
      Filled filled = appendUntilFull(store, "Roll-1", acked, payload);
      acked = filled.acked();
      StorageException full = filled.failure();
      check(full != null, "the disk never filled up in the rolling store");
      check(!Files.exists(nextSegment), "a segment whose creation failed was left behind");
      Files.delete(filler);
      store.append("Roll-1", ExpectedVersion.exactly(acked), EventData.json("AfterSpaceReturned", payload));
      check(store.streamVersion("Roll-1").orElse(0) == acked + 1, "append after freeing space did not land");
      System.out.println("ROLL\t" + acked + "\t" + Files.exists(nextSegment) + "\t" + full.getMessage().replace('\n', ' '));
    }
  }

  /** How far appends got before the disk was full: the stream's version then, and the failure (or null). */
  private record Filled(long acked, StorageException failure) {}

  /** Appends to {@code stream}, at version {@code acked}, until an append fails (at most 100,000). */
  private static Filled appendUntilFull(EmbeddedEventStore store, String stream, long acked, String payload) {
    for (int k = 0; k < 100_000; k++) {
      try {
        store.append(stream, ExpectedVersion.exactly(acked), EventData.json("Filling", payload));
        acked++;
      } catch (StorageException e) {
        return new Filled(acked, e);
      }
    }
    return new Filled(acked, null);
  }

  private static void fillDisk(Path filler, int leaveFree) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
      byte[] chunk = new byte[64 * 1024];
      try {
        while (true) {
          f.write(chunk);
        }
      } catch (IOException full) {
        f.setLength(Math.max(0, f.length() - leaveFree));
      }
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      fail(what);
    }
  }

  private static void fail(String what) {
    System.out.println("FAIL\t" + what);
    System.exit(1);
  }
}
