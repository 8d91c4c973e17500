package io.factum.embedded;

import io.factum.api.StorageException;
import io.factum.embedded.index.Checkpoint;
import io.factum.embedded.index.HashIndex;
import io.factum.embedded.index.Hashing;
import io.factum.embedded.index.PositionTable;
import io.factum.embedded.log.BatchFormat;
import io.factum.embedded.log.SegmentedLog;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * Opening a store: the log is the truth, the indexes are brought up to date with it.
 *
 * <ol>
 *   <li>Read the index checkpoint and check it against the log (the event it names must be where it
 *       says). Without a valid one, the indexes are rebuilt from the start of the log.
 *   <li>Replay the log after the checkpoint: every batch whose checksums hold and whose position
 *       follows on is indexed again (idempotently).
 *   <li>At the first batch that does not verify, decide: a <em>torn tail</em> (a group that was being
 *       written when the process died, never acknowledged) is erased; anything else — bad bytes
 *       followed by more data — is <em>corruption</em>, reported with its position, and the store
 *       refuses to open rather than skip a record.
 * </ol>
 */
final class Recovery {

  static final int POSITION_FILE_BITS = 16;
  static final int SHARD_BITS = 6;
  private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

  record Result(IndexedLog indexed, GroupCommitWriter.Published state, long replayed, boolean rebuilt, boolean tornTailErased) {}

  private Recovery() {}

  static Result open(StoreDirectory dir, int maxGroupBytes) throws IOException {
    SegmentedLog log = SegmentedLog.open(dir.log, dir.segmentSizeBits);
    try {
      return open(dir, log, maxGroupBytes);
    } catch (IOException | RuntimeException e) {
      log.close();
      throw e;
    }
  }

  private static Result open(StoreDirectory dir, SegmentedLog log, int maxGroupBytes) throws IOException {
    Checkpoint checkpoint = Checkpoint.read(dir.checkpoint);
    IndexedLog indexed = null;
    if (checkpoint != null) {
      try {
        PositionTable positions = PositionTable.open(dir.index, POSITION_FILE_BITS, false);
        HashIndex hash = HashIndex.open(dir.index, SHARD_BITS, checkpoint.shards());
        indexed = new IndexedLog(log, positions, hash);
        if (!matchesLog(indexed, checkpoint)) {
          indexed = null;
        } else if (!checkpoint.clean()) {
          hash.recount();
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "The index in " + dir.index + " cannot be used (" + e + "); rebuilding it from the log");
        indexed = null;
      }
    }
    boolean rebuilt = indexed == null;
    long head = 0;
    long logEnd = 0;
    if (rebuilt) {
      Checkpoint.delete(dir.checkpoint);
      indexed = new IndexedLog(log, PositionTable.open(dir.index, POSITION_FILE_BITS, true), HashIndex.open(dir.index, SHARD_BITS, null));
    } else {
      head = checkpoint.indexedThrough();
      logEnd = checkpoint.logEnd();
    }
    Replay replay = new Replay(indexed, maxGroupBytes);
    replay.run(head, logEnd);
    GroupCommitWriter.Published state = new GroupCommitWriter.Published(replay.head, replay.logEnd);
    if (replay.replayed > 0 || replay.tornTail) {
      LOG.log(Level.INFO, "Recovered " + dir.root + ": replayed " + replay.replayed + " events from the log"
          + (rebuilt ? " (index rebuilt)" : "") + (replay.tornTail ? "; erased a torn, unacknowledged tail" : ""));
    }
    writeCheckpoint(dir, indexed, state, false);
    return new Result(indexed, state, replay.replayed, rebuilt, replay.tornTail);
  }

  /** Forces the indexes and records that they are complete up to {@code state}. */
  static void writeCheckpoint(StoreDirectory dir, IndexedLog indexed, GroupCommitWriter.Published state, boolean clean) throws IOException {
    HashIndex.ShardState[] shards = indexed.hash.snapshot(() -> {});
    indexed.positions.force();
    indexed.hash.force(shards, !clean);
    new Checkpoint(state.head(), state.logEnd(), clean, shards).write(dir.checkpoint);
    indexed.hash.deleteOlderThan(shards);
  }

  /** The checkpoint's last event is where it says, and its batch ends where the checkpoint says the log ends. */
  private static boolean matchesLog(IndexedLog indexed, Checkpoint cp) {
    if (cp.indexedThrough() == 0) {
      return cp.logEnd() == 0;
    }
    SegmentedLog log = indexed.log;
    if (log.segmentOf(cp.logEnd() - 1) >= log.segmentCount()) {
      return false;
    }
    try {
      BatchFormat.Header h = indexed.header(cp.indexedThrough(), new Cursor());
      long offset = indexed.positions.offset(cp.indexedThrough());
      return h.lastPosition() == cp.indexedThrough()
          && log.logicalOffset(log.segmentOf(offset), h.nextBatchOffset()) == cp.logEnd();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Re-indexes the log from a known-good point to its end. */
  private static final class Replay {
    final IndexedLog indexed;
    final SegmentedLog log;
    final int maxGroupBytes;
    final Cursor cursor = new Cursor();
    long head;
    long logEnd;
    long replayed;
    boolean tornTail;
    long[] keys = new long[1024];

    Replay(IndexedLog indexed, int maxGroupBytes) {
      this.indexed = indexed;
      this.log = indexed.log;
      this.maxGroupBytes = maxGroupBytes;
    }

    void run(long fromHead, long fromOffset) throws IOException {
      long offset = fromOffset;
      long expected = fromHead + 1;
      while (true) {
        int segment = log.segmentOf(offset);
        if (segment >= log.segmentCount()) {
          break;
        }
        ByteBuffer buffer = log.segment(segment);
        int local = log.localOffset(offset);
        if (BatchFormat.isZeroHeader(buffer, local)) {
          if (segment + 1 < log.segmentCount()) {
            // The writer moved to the next segment here; the rest of this one must be untouched.
            long stray = firstNonZero(buffer, local, buffer.capacity());
            if (stray >= 0) {
              throw corrupt(segment, (int) stray, expected, "unexpected data after the end of a finished segment");
            }
            offset = log.logicalOffset(segment + 1, 0);
            continue;
          }
          break;
        }
        BatchFormat.Header h;
        int[] events;
        try {
          h = BatchFormat.readHeader(buffer, local, cursor.crc);
          if (h.firstPosition() != expected) {
            throw new InvalidPosition(local, expected, h.firstPosition());
          }
          events = BatchFormat.verifyEvents(buffer, h, cursor.crc);
        } catch (BatchFormat.Invalid | InvalidPosition e) {
          // A killed process leaves at most a prefix of the last group unwritten (up to two groups
          // can be unsynced, but each is one write, and what was written survives in the kernel).
          // So a record that does not verify is a torn tail only if nothing after it verifies: any
          // later valid batch means acknowledged data follows, and the bad record is corruption,
          // which must be reported, never erased.
          long laterBatch = findLaterBatch(offset + 8, expected);
          long farData = firstNonZero(buffer, (int) Math.min(buffer.capacity(), (long) local + maxGroupBytes), buffer.capacity());
          if (laterBatch >= 0 || farData >= 0) {
            throw corrupt(segment, local, expected, e.getMessage()
                + (laterBatch >= 0 ? "; a valid batch follows at log offset " + laterBatch : "; data follows it"));
          }
          log.zero(offset, maxGroupBytes);
          tornTail = true;
          break;
        }
        replayBatch(segment, h, events);
        expected = h.lastPosition() + 1;
        offset = log.logicalOffset(segment, h.nextBatchOffset());
      }
      head = expected - 1;
      logEnd = offset;
    }

    private void replayBatch(int segment, BatchFormat.Header h, int[] events) throws IOException {
      ByteBuffer buffer = log.segment(segment);
      int n = h.count();
      long[] offsets = new long[n];
      int[] types = new int[n];
      long[] msb = new long[n];
      long[] lsb = new long[n];
      for (int k = 0; k < n; k++) {
        offsets[k] = log.logicalOffset(segment, events[k]);
        types[k] = BatchFormat.typeHash(buffer, events[k]);
        msb[k] = BatchFormat.idMsb(buffer, events[k]);
        lsb[k] = BatchFormat.idLsb(buffer, events[k]);
      }
      indexed.positions.reserve(h.lastPosition());
      if (keys.length < 2 * n + 1) {
        keys = new long[2 * n + 1];
      }
      int count = IndexedLog.keysOf(h.firstVersion(), n, Hashing.hash64(h.streamId()), keys, 0, msb, lsb);
      indexed.hash.reserve(keys, count);
      indexed.indexEvents(h, offsets, types, msb, lsb, cursor);
      indexed.indexHead(h, cursor);
      replayed += n;
    }

    /**
     * The logical offset of the first batch after {@code from} whose header verifies and whose first
     * position is at least {@code minPosition}, searching the rest of the log; -1 if there is none.
     */
    private long findLaterBatch(long from, long minPosition) {
      long at = BatchFormat.align8(from);
      while (log.segmentOf(at) < log.segmentCount()) {
        int segment = log.segmentOf(at);
        ByteBuffer buffer = log.segment(segment);
        int capacity = buffer.capacity();
        for (int local = log.localOffset(at); local + BatchFormat.HEADER_FIXED <= capacity; local += 8) {
          if (buffer.getShort(local + 8) == BatchFormat.MAGIC) {
            try {
              BatchFormat.Header h = BatchFormat.readHeader(buffer, local, cursor.crc);
              if (h.firstPosition() >= minPosition) {
                return log.logicalOffset(segment, local);
              }
            } catch (BatchFormat.Invalid notAHeader) {
              // keep looking
            }
          }
        }
        at = log.logicalOffset(segment + 1, 0);
      }
      return -1;
    }

    private StorageException corrupt(int segment, int local, long position, String why) {
      return new StorageException("Corrupted log: the record expected at position " + position + " (" + log.pathOf(segment)
          + ", offset " + local + ") is damaged (" + why + ") and more data follows it, so this is not an interrupted write."
          + " Factum will not skip it: restore the store from a backup.");
    }

    private static long firstNonZero(ByteBuffer buffer, int from, int to) {
      int at = from;
      while (at < to && (at & 7) != 0) {
        if (buffer.get(at) != 0) {
          return at;
        }
        at++;
      }
      for (; at + 8 <= to; at += 8) {
        if (buffer.getLong(at) != 0) {
          return at;
        }
      }
      for (; at < to; at++) {
        if (buffer.get(at) != 0) {
          return at;
        }
      }
      return -1;
    }
  }

  /** A verified batch that does not carry the next position: stale bytes, not part of this log. */
  private static final class InvalidPosition extends Exception {
    InvalidPosition(int local, long expected, long found) {
      super("expected position " + expected + " but found " + found + " at segment offset " + local, null, false, false);
    }
  }
}
