package io.factum.embedded;

import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import io.factum.api.StorageException;
import io.factum.embedded.index.Hashing;
import io.factum.embedded.index.HashIndex;
import io.factum.embedded.index.PositionTable;
import io.factum.embedded.log.BatchFormat;
import io.factum.embedded.log.SegmentedLog;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The log and its indexes, read together: events by position, by stream and version, by id.
 *
 * <p>Three kinds of entries share the {@link HashIndex}: every event id (→ its position), every
 * stream's head (→ the position of its last event), and version anchors (→ the position of that
 * version) for the first version of every batch and every 64th version. Any version is found from the
 * nearest anchor at or below it, walking at most 64 batch starts forward; versions inside a batch are
 * consecutive positions. So a batch of 1,000 events costs about 16 anchors, not 1,000.
 *
 * <p>Every index hit is checked against the event it points to, and reads pass the published head
 * as a bound: entries for events not yet published are never returned.
 */
final class IndexedLog {

  static final int ANCHOR_EVERY = 64;

  final SegmentedLog log;
  final PositionTable positions;
  final HashIndex hash;

  IndexedLog(SegmentedLog log, PositionTable positions, HashIndex hash) {
    this.log = log;
    this.positions = positions;
    this.hash = hash;
  }

  static boolean isAnchor(long version, long batchFirstVersion) {
    return version == batchFirstVersion || version % ANCHOR_EVERY == 0;
  }

  // ---------------------------------------------------------------- events by position

  /** The header of the batch holding {@code position} (checksum-verified, cached per cursor). */
  BatchFormat.Header header(long position, Cursor c) {
    long offset = positions.offset(position);
    int segment = log.segmentOf(offset);
    ByteBuffer buffer = log.segment(segment);
    int batch = BatchFormat.batchOffsetOf(buffer, log.localOffset(offset));
    return headerAt(segment, batch, c);
  }

  BatchFormat.Header headerAt(int segment, int localOffset, Cursor c) {
    if (c.headerSegment == segment && c.headerOffset == localOffset) {
      return c.header;
    }
    try {
      BatchFormat.Header h = BatchFormat.readHeader(log.segment(segment), localOffset, c.crc);
      c.headerSegment = segment;
      c.headerOffset = localOffset;
      c.header = h;
      return h;
    } catch (BatchFormat.Invalid e) {
      throw corrupt(segment, e);
    }
  }

  /** The event at {@code position} (which must be published), its checksum verified. */
  RecordedEvent read(long position, Cursor c) {
    long offset = positions.offset(position);
    int segment = log.segmentOf(offset);
    ByteBuffer buffer = log.segment(segment);
    int at = log.localOffset(offset);
    BatchFormat.Header h = headerAt(segment, BatchFormat.batchOffsetOf(buffer, at), c);
    if (!h.contains(position)) {
      throw new StorageException("Index points position " + position + " at a batch holding " + h.firstPosition() + ".."
          + h.lastPosition() + " in " + log.pathOf(segment) + "; the index is damaged. Delete the 'index' directory to rebuild it.");
    }
    try {
      BatchFormat.verifyEvent(buffer, at, h.localOffset() + h.length(), c.crc);
    } catch (BatchFormat.Invalid e) {
      throw corrupt(segment, e);
    }
    return BatchFormat.decode(buffer, at, h, position, c.strings);
  }

  private StorageException corrupt(int segment, BatchFormat.Invalid e) {
    return new StorageException("Corrupted record in " + log.pathOf(segment) + ": " + e.getMessage()
        + ". Nothing was skipped; restore the store from a backup.");
  }

  // ---------------------------------------------------------------- ids

  /** Prepares lookups of these ids (see {@link HashIndex#prefetch}); ids may be null. */
  void prefetchIds(List<EventData> events) {
    long[] keys = new long[events.size()];
    int n = 0;
    for (EventData e : events) {
      if (e.eventId() != null) {
        keys[n++] = Hashing.idKey(e.eventId());
      }
    }
    hash.prefetch(keys, 0, n);
  }

  /** The position of the event with this id, at or below {@code maxPosition}, or -1. */
  long positionOfId(UUID id, long maxPosition, Cursor c) {
    long msb = id.getMostSignificantBits();
    long lsb = id.getLeastSignificantBits();
    return hash.get(Hashing.idKey(msb, lsb), p -> p <= maxPosition && hasId(p, msb, lsb));
  }

  private boolean hasId(long position, long msb, long lsb) {
    long offset = positions.offset(position);
    ByteBuffer buffer = log.segment(log.segmentOf(offset));
    int at = log.localOffset(offset);
    return BatchFormat.idMsb(buffer, at) == msb && BatchFormat.idLsb(buffer, at) == lsb;
  }

  // ---------------------------------------------------------------- streams

  /** The position of a stream's last event at or below {@code maxPosition}, or -1 if it has none. */
  long streamHead(byte[] stream, long streamHash, long maxPosition, Cursor c) {
    long p = hash.get(Hashing.headKey(streamHash), candidate -> Arrays.equals(header(candidate, c).streamId(), stream));
    while (p > maxPosition) { // indexed but not yet published: step back to the previous batch of the stream
      p = header(p, c).previousStreamPosition();
    }
    return p <= 0 ? -1 : p;
  }

  /** The position of version {@code version} of a stream, at or below {@code maxPosition}, or -1. */
  long positionOfVersion(byte[] stream, long streamHash, long version, long maxPosition, Cursor c) {
    long anchor = version - version % ANCHOR_EVERY;
    if (anchor == 0) {
      anchor = 1;
    }
    long p = anchorPosition(stream, streamHash, anchor, maxPosition, c);
    while (p > 0) {
      BatchFormat.Header h = header(p, c);
      if (version <= h.lastVersion()) {
        return h.firstPosition() + (version - h.firstVersion());
      }
      p = anchorPosition(stream, streamHash, h.lastVersion() + 1, maxPosition, c);
    }
    return -1;
  }

  private long anchorPosition(byte[] stream, long streamHash, long version, long maxPosition, Cursor c) {
    return hash.get(Hashing.versionKey(streamHash, version), p -> {
      if (p > maxPosition) {
        return false;
      }
      BatchFormat.Header h = header(p, c);
      return h.firstVersion() + (p - h.firstPosition()) == version && Arrays.equals(h.streamId(), stream);
    });
  }

  /** The position of the first event of the stream's batch after the one ending at {@code h}, or -1. */
  long nextBatchOfStream(BatchFormat.Header h, long streamHash, long maxPosition, Cursor c) {
    return anchorPosition(h.streamId(), streamHash, h.lastVersion() + 1, maxPosition, c);
  }

  // ---------------------------------------------------------------- indexing (writer thread only)

  /**
   * Adds a batch's insert-only entries: its position-table rows, its event ids and its version
   * anchors. Safe to run before the batch is durable: readers are bounded by the published head, and
   * an entry left behind by a crash or a failed sync points at a position whose event does not match
   * it, so every lookup skips it. Such an entry may lie beyond the log's end (nothing is readable
   * there): an entry beyond this batch is never this batch's, and is passed over without reading it.
   * Replaying an indexed batch changes nothing.
   */
  void indexEvents(BatchFormat.Header h, long[] eventOffsets, int[] typeHashes, long[] idMsb, long[] idLsb, Cursor c) {
    int categoryHash = Hashing.categoryHash(h.streamId());
    long streamHash = Hashing.hash64(h.streamId());
    for (int k = 0; k < h.count(); k++) {
      positions.put(h.firstPosition() + k, eventOffsets[k], categoryHash, typeHashes[k]);
    }
    long[] idKeys = new long[h.count()];
    for (int k = 0; k < h.count(); k++) {
      idKeys[k] = Hashing.idKey(idMsb[k], idLsb[k]);
    }
    hash.prefetch(idKeys, 0, idKeys.length);
    for (int k = 0; k < h.count(); k++) {
      long position = h.firstPosition() + k;
      long msb = idMsb[k];
      long lsb = idLsb[k];
      hash.put(idKeys[k], position, existing -> existing <= h.lastPosition() && hasId(existing, msb, lsb));
      long version = h.firstVersion() + k;
      if (isAnchor(version, h.firstVersion())) {
        hash.put(Hashing.versionKey(streamHash, version), position, existing -> {
          if (existing > h.lastPosition()) {
            return false;
          }
          BatchFormat.Header e = header(existing, c);
          return e.firstVersion() + (existing - e.firstPosition()) == version && Arrays.equals(e.streamId(), h.streamId());
        });
      }
    }
  }

  /**
   * Moves the stream's head entry to the batch's last event. An in-place overwrite, so only for a
   * durable batch: a head pointing at a lost event would hide the stream's real head.
   *
   * <p>A head entry beyond this batch exists only while replaying after a crash: it was written for a
   * later durable batch, which the replay will index again. Its position-table row may never have
   * reached the disk (the two files are written back independently between checkpoints), so it is
   * taken over without being read; if it was another stream's, that stream's later batch restores it.
   */
  void indexHead(BatchFormat.Header h, Cursor c) {
    long streamHash = Hashing.hash64(h.streamId());
    hash.put(Hashing.headKey(streamHash), h.lastPosition(),
        existing -> existing > h.lastPosition() || Arrays.equals(header(existing, c).streamId(), h.streamId()));
  }

  /** How many new hash entries indexing a batch can add: ids, anchors and the head. */
  static int keysOf(long firstVersion, int count, long streamHash, long[] out, int at, long[] idMsb, long[] idLsb) {
    int n = at;
    for (int k = 0; k < count; k++) {
      out[n++] = Hashing.idKey(idMsb[k], idLsb[k]);
      long version = firstVersion + k;
      if (isAnchor(version, firstVersion)) {
        out[n++] = Hashing.versionKey(streamHash, version);
      }
    }
    out[n++] = Hashing.headKey(streamHash);
    return n - at;
  }
}
