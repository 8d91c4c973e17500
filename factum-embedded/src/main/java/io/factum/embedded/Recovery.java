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
 *   <li>At the first batch that does not verify (or, after a crash, zeros with data after them),
 *       decide: a <em>torn tail</em> (groups not yet synced when the process died or the power
 *       failed, never acknowledged: every batch after the damage names a synced end before it) is
 *       erased; anything else is <em>corruption</em>, reported with its position, and the store
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
    if (checkpoint != null && checkpoint.logEnd() > 0 && log.segmentOf(checkpoint.logEnd() - 1) >= log.segmentCount()) {
      // A checkpoint only ever covers synced data: the log has lost durable segments, this is no torn tail.
      throw new StorageException("The index checkpoint of " + dir.root + " says its log reaches into segment "
          + log.segmentOf(checkpoint.logEnd() - 1) + ", but " + dir.log + " has " + log.segmentCount() + " segment(s):"
          + " acknowledged events are missing. Nothing was changed; restore the store from a backup.");
    }
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
    Indexer indexer = new Indexer(indexed);
    Replay replay = new Replay(log, maxGroupBytes, checkpoint != null && !rebuilt && checkpoint.clean(), indexer, true);
    // What lies beyond the checkpoint may exist only in the page cache (a killed process's unsynced
    // groups): make it durable before the replay moves stream heads onto it — a head pointing at a
    // batch that a power cut then loses would hide its stream's real head — and again afterwards, for
    // the torn tail the replay erases, before new appends (which name it as synced) build on it.
    forceFrom(log, logEnd);
    replay.run(head, logEnd);
    forceFrom(log, logEnd);
    GroupCommitWriter.Published state = new GroupCommitWriter.Published(replay.head, replay.logEnd);
    boolean erased = replay.tornTailAt >= 0;
    if (indexer.replayed > 0 || erased) {
      LOG.log(Level.INFO, "Recovered " + dir.root + ": replayed " + indexer.replayed + " events from the log"
          + (rebuilt ? " (index rebuilt)" : "") + (erased ? "; erased a torn, unacknowledged tail" : ""));
    }
    writeCheckpoint(dir, indexed, state, false);
    return new Result(indexed, state, indexer.replayed, rebuilt, erased);
  }

  private static void forceFrom(SegmentedLog log, long logEnd) throws IOException {
    for (int segment = log.segmentOf(logEnd); segment < log.segmentCount(); segment++) {
      log.force(segment);
    }
  }

  /** Forces the indexes and records that they are complete up to {@code state}. */
  static void writeCheckpoint(StoreDirectory dir, IndexedLog indexed, GroupCommitWriter.Published state, boolean clean) throws IOException {
    HashIndex.ShardState[] shards = indexed.hash.snapshot(() -> {});
    indexed.positions.force();
    indexed.hash.force(shards, !clean);
    new Checkpoint(state.head(), state.logEnd(), clean, shards).write(dir.checkpoint);
    indexed.hash.deleteOlderThan(shards);
  }

  /**
   * The checkpoint's last event is where it says, and its batch ends where the checkpoint says the log
   * ends — or the log goes on at the start of the next segment (a recovery that found the rest of the
   * segment empty, the writer having rolled over there).
   */
  private static boolean matchesLog(IndexedLog indexed, Checkpoint cp) {
    if (cp.indexedThrough() == 0) {
      return cp.logEnd() == 0;
    }
    SegmentedLog log = indexed.log;
    try {
      BatchFormat.Header h = indexed.header(cp.indexedThrough(), new Cursor());
      long offset = indexed.positions.offset(cp.indexedThrough());
      long batchEnd = log.logicalOffset(log.segmentOf(offset), h.nextBatchOffset());
      boolean rolledAfter = log.localOffset(cp.logEnd()) == 0 && log.segmentOf(cp.logEnd()) == log.segmentOf(offset) + 1;
      return h.lastPosition() == cp.indexedThrough() && (batchEnd == cp.logEnd() || rolledAfter);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** What replay does with each verified batch, in log order. */
  interface BatchSink {
    void accept(int segment, BatchFormat.Header h, int[] events) throws IOException;
  }

  /** Re-indexes each batch (idempotently). */
  private static final class Indexer implements BatchSink {
    final IndexedLog indexed;
    final Cursor cursor = new Cursor();
    long replayed;
    long[] keys = new long[1024];

    Indexer(IndexedLog indexed) {
      this.indexed = indexed;
    }

    @Override
    public void accept(int segment, BatchFormat.Header h, int[] events) throws IOException {
      SegmentedLog log = indexed.log;
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
  }

  /**
   * Reads the log from a known-good point to its end, handing every verified batch to a sink, and
   * decides what follows the last one: the end, a torn tail (erased, or only noted when {@code erase}
   * is off), or corruption (thrown).
   */
  static final class Replay {
    final SegmentedLog log;
    final int maxGroupBytes;
    /** Closed with a clean checkpoint: nothing unsynced can lie after the log's end. */
    final boolean cleanlyClosed;
    final BatchSink sink;
    final boolean erase;
    final Cursor cursor = new Cursor();
    long head;
    long logEnd;
    /** Where a torn tail started (erased if {@code erase}), or -1. */
    long tornTailAt = -1;

    Replay(SegmentedLog log, int maxGroupBytes, boolean cleanlyClosed, BatchSink sink, boolean erase) {
      this.log = log;
      this.maxGroupBytes = maxGroupBytes;
      this.cleanlyClosed = cleanlyClosed;
      this.sink = sink;
      this.erase = erase;
    }

    void run(long fromHead, long fromOffset) throws IOException {
      long offset = fromOffset;
      long verifiedEnd = fromOffset; // where the last verified batch ends (offset may have moved to a next segment)
      long expected = fromHead + 1;
      while (true) {
        int segment = log.segmentOf(offset);
        if (segment >= log.segmentCount()) {
          break;
        }
        ByteBuffer buffer = log.segment(segment);
        int local = log.localOffset(offset);
        if (BatchFormat.isZeroHeader(buffer, local)) {
          boolean rolled = segment + 1 < log.segmentCount();
          // Either the end of the log, or where the writer moved to the next segment — unless data
          // follows: after a crash, pages of unsynced groups can be lost in any order.
          long stray = rolled || !cleanlyClosed
              ? firstNonZero(buffer, local, (int) Math.min(buffer.capacity(), rolled ? buffer.capacity() : local + 2L * maxGroupBytes))
              : -1;
          if (stray >= 0) {
            String acknowledgedAfter = acknowledgedDataAfter(verifiedEnd, -1);
            if (acknowledgedAfter != null) {
              throw corrupt(segment, local, expected, "no record where one should start; " + acknowledgedAfter);
            }
            if (!erase) {
              tornTailAt = verifiedEnd;
              offset = verifiedEnd;
              break;
            }
            offset = eraseTail(verifiedEnd);
            continue;
          }
          if (rolled) {
            offset = log.logicalOffset(segment + 1, 0);
            continue;
          }
          break;
        }
        BatchFormat.Header h = null;
        int[] events;
        try {
          h = BatchFormat.readHeader(buffer, local, cursor.crc);
          if (h.firstPosition() != expected) {
            throw new InvalidPosition(local, expected, h.firstPosition());
          }
          events = BatchFormat.verifyEvents(buffer, h, cursor.crc);
        } catch (BatchFormat.Invalid | InvalidPosition e) {
          // A header that verified above events that did not is the torn batch's own: no evidence.
          long tornHeaderAt = h != null && e instanceof BatchFormat.Invalid ? offset : -1;
          String acknowledgedAfter = acknowledgedDataAfter(verifiedEnd, tornHeaderAt);
          if (acknowledgedAfter != null) {
            throw corrupt(segment, local, expected, e.getMessage() + "; " + acknowledgedAfter);
          }
          if (!erase) {
            tornTailAt = verifiedEnd;
            offset = verifiedEnd;
            break;
          }
          offset = eraseTail(verifiedEnd);
          continue; // now a zero header: the log ends here, or in the next segment if one was started
        }
        sink.accept(segment, h, events);
        expected = h.lastPosition() + 1;
        offset = log.logicalOffset(segment, h.nextBatchOffset());
        verifiedEnd = offset;
      }
      head = expected - 1;
      logEnd = offset;
    }

    /**
     * Whether anything after {@code verifiedEnd}, where the verified log ends and a damaged or missing
     * record follows, can have been acknowledged: then the damage is corruption, to be reported, never
     * erased. Returns why, or {@code null} when everything after {@code verifiedEnd} is unacknowledged.
     *
     * <p>A record is acknowledged only after the sync covering its group returned, and a crash cannot
     * damage synced data. A killed process leaves at most a prefix of its last write unwritten; a
     * power cut can lose any pages of the (at most two) groups not yet synced, in any order, so valid
     * batches may follow the damage. Either way, what follows is at most two groups written before
     * the damaged one's sync returned, so every batch in it records a synced end at or before {@code
     * verifiedEnd}. Anything else — a batch naming a synced end beyond it (or not naming one: format
     * 1), or data beyond two groups — means something durable lies after the damage. The header of a
     * torn batch at {@code tornHeaderAt} (or -1) is no evidence: it survived its torn events, and
     * names no synced end beyond its own start (format 1 names none).
     */
    private String acknowledgedDataAfter(long verifiedEnd, long tornHeaderAt) {
      int first = log.segmentOf(verifiedEnd);
      ByteBuffer verifiedSegment = log.segment(first);
      boolean restOfSegmentEmpty = firstNonZero(verifiedSegment, log.localOffset(verifiedEnd), verifiedSegment.capacity()) < 0;
      for (int segment = first; segment < log.segmentCount(); segment++) {
        ByteBuffer buffer = log.segment(segment);
        int capacity = buffer.capacity();
        int from = segment == first ? log.localOffset(verifiedEnd) : 0;
        long window = segment == first ? from + 2L * maxGroupBytes : segment == first + 1 ? 2L * maxGroupBytes : 0;
        int to = (int) Math.min(capacity, window);
        long far = firstNonZero(buffer, to, capacity);
        if (far >= 0) {
          return "data follows it at log offset " + log.logicalOffset(segment, (int) far);
        }
        for (int local = from; local < to; local += 8) {
          if (log.logicalOffset(segment, local) != tornHeaderAt && BatchFormat.mayBeHeader(buffer, local)) {
            BatchFormat.Header h;
            try {
              h = BatchFormat.readHeader(buffer, local, cursor.crc);
            } catch (BatchFormat.Invalid notAHeader) {
              continue;
            }
            if (namesDurableDataAfter(h, verifiedEnd, restOfSegmentEmpty)) {
              return "a valid batch written after it was durable follows at log offset " + log.logicalOffset(segment, local);
            }
          }
        }
      }
      return null;
    }

    /**
     * Whether a batch says that the log was durable beyond {@code verifiedEnd}. Naming the start of the
     * next segment, with nothing but zeros from {@code verifiedEnd} to the end of its own, does not
     * count: that is where a recovery that found the rest of the segment empty let the log go on.
     */
    private boolean namesDurableDataAfter(BatchFormat.Header h, long verifiedEnd, boolean restOfSegmentEmpty) {
      long synced = h.syncedEnd();
      if (synced == BatchFormat.SYNCED_END_UNKNOWN) {
        return true;
      }
      if (synced <= verifiedEnd) {
        return false;
      }
      return !(restOfSegmentEmpty && synced == log.logicalOffset(log.segmentOf(verifiedEnd) + 1, 0));
    }

    /** Erases the unacknowledged tail after {@code verifiedEnd} (once) and returns where replay resumes. */
    private long eraseTail(long verifiedEnd) throws IOException {
      if (tornTailAt >= 0) {
        throw new IllegalStateException("the torn tail after log offset " + verifiedEnd + " was erased, yet data remains");
      }
      eraseFrom(verifiedEnd);
      tornTailAt = verifiedEnd;
      return verifiedEnd;
    }

    /**
     * Zeroes the written data from {@code from} to the end of the log, last segment first (each
     * segment's zeros synced before the one before it is touched), leaving holes alone.
     */
    private void eraseFrom(long from) throws IOException {
      int first = log.segmentOf(from);
      for (int segment = log.segmentCount() - 1; segment >= first; segment--) {
        ByteBuffer buffer = log.segment(segment);
        int start = segment == first ? log.localOffset(from) : 0;
        int end = SegmentedLog.endOfData(buffer, start, (int) Math.min(buffer.capacity(), start + 2L * maxGroupBytes)); // no data beyond: checked
        if (end > start) {
          log.zero(log.logicalOffset(segment, start), end - start);
        }
      }
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
