package io.factum.embedded.log;

import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import io.factum.api.StorageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The on-disk format of one append (a <em>batch</em>): a header naming the stream, its first
 * version and global position, then the events. Little-endian, every record 8-byte aligned.
 *
 * <pre>
 * batch header                         event
 *  0 u32 headerCrc  CRC32C of [4, hdrLen) 0 u32 eventCrc   CRC32C of [4, length)
 *  4 u32 batchLength (padded)             4 u32 length (unpadded)
 *  8 u16 magic 0xFA02                     8 u32 backRef    offset of the event minus offset of its batch
 * 10 u16 headerLength                    12 u32 schemaVersion
 * 12 u32 eventCount                      16 u64 id (most significant), 24 u64 id (least significant)
 * 16 u64 firstPosition                   32 u16 typeLength, 34 u16 contentTypeLength (0 = JSON)
 * 24 u64 firstVersion                    36 u32 metadataLength, 40 u32 dataLength
 * 32 u64 previousStreamPosition (0=none) 44 type, content type, metadata, data
 * 40 i64 createdAt (µs since the epoch)
 * 48 u32 eventsCrc  CRC32C of the events' CRCs in order
 * 52 u16 streamIdLength
 * 54 u16 zero
 * 56 u64 syncedEnd  log offset up to which the log was durable when this batch was written
 * 64 stream id
 * </pre>
 *
 * <p>{@code syncedEnd} tells recovery, after a power cut, whether a damaged record can have been
 * acknowledged: a later batch written after the damaged one was synced names an offset beyond it.
 * Batches of format 1 (magic {@code 0xFA01}, written before this field existed) have the stream id at
 * 54 and no {@code syncedEnd}; they are still read.
 *
 * <p>Each event carries its own CRC, so a single event read at random is verified; the header's
 * {@code eventsCrc} ties the events to their batch, so a torn batch is recognised as a whole. A
 * batch never spans segments.
 */
public final class BatchFormat {

  public static final short MAGIC = (short) 0xFA02;
  public static final int HEADER_FIXED = 64;
  /** The magic of batches written before {@code syncedEnd} existed; their stream id is at 54. */
  public static final short MAGIC_V1 = (short) 0xFA01;
  static final int HEADER_FIXED_V1 = 54;
  /** {@link Header#syncedEnd} of a format-1 batch: not recorded. */
  public static final long SYNCED_END_UNKNOWN = -1;
  public static final int EVENT_FIXED = 44;

  static final int H_CRC = 0;
  static final int H_LENGTH = 4;
  static final int H_MAGIC = 8;
  static final int H_HEADER_LENGTH = 10;
  static final int H_COUNT = 12;
  static final int H_FIRST_POSITION = 16;
  static final int H_FIRST_VERSION = 24;
  static final int H_PREVIOUS = 32;
  static final int H_CREATED = 40;
  static final int H_EVENTS_CRC = 48;
  static final int H_STREAM_LENGTH = 52;
  static final int H_SYNCED_END = 56;
  static final int E_CRC = 0;
  static final int E_LENGTH = 4;
  static final int E_BACKREF = 8;
  static final int E_SCHEMA = 12;
  static final int E_ID_MSB = 16;
  static final int E_ID_LSB = 24;
  static final int E_TYPE_LENGTH = 32;
  static final int E_CT_LENGTH = 34;
  static final int E_META_LENGTH = 36;
  static final int E_DATA_LENGTH = 40;

  private BatchFormat() {}

  public static int align8(int n) {
    return (n + 7) & ~7;
  }

  public static long align8(long n) {
    return (n + 7) & ~7L;
  }

  /** Size of a header for a stream id of {@code streamIdLength} UTF-8 bytes, padded. */
  public static int headerSize(int streamIdLength) {
    return align8(HEADER_FIXED + streamIdLength);
  }

  /** Size of an event record, padded. */
  public static long eventSize(int typeLength, int contentTypeLength, int metadataLength, int dataLength) {
    return align8((long) EVENT_FIXED + typeLength + contentTypeLength + metadataLength + dataLength);
  }

  /**
   * The parsed, verified header of a batch. {@code syncedEnd} is the logical log offset up to which
   * the log was durable when the batch was written ({@link #SYNCED_END_UNKNOWN} for format 1).
   */
  public record Header(
      int localOffset, int length, int count, long firstPosition, long firstVersion, long previousStreamPosition,
      long createdAtMicros, byte[] streamId, int eventsStart, long syncedEnd) {

    public String streamIdString() {
      return new String(streamId, StandardCharsets.UTF_8);
    }

    public long lastPosition() {
      return firstPosition + count - 1;
    }

    public long lastVersion() {
      return firstVersion + count - 1;
    }

    public boolean contains(long position) {
      return position >= firstPosition && position <= lastPosition();
    }

    /** Local offset where the next batch in the segment starts. */
    public int nextBatchOffset() {
      return align8(localOffset + length);
    }

    public Instant createdAt() {
      return Instant.ofEpochSecond(Math.floorDiv(createdAtMicros, 1_000_000L), Math.floorMod(createdAtMicros, 1_000_000L) * 1000L);
    }
  }

  /** Thrown when bytes do not form a valid record; {@code localOffset} says where. */
  public static final class Invalid extends Exception {
    private final int localOffset;

    Invalid(int localOffset, String why) {
      super(why + " at segment offset " + localOffset, null, false, false);
      this.localOffset = localOffset;
    }

    public int localOffset() {
      return localOffset;
    }
  }

  /** Whether a batch header of either format may start at {@code off}: room for one and its magic there. */
  public static boolean mayBeHeader(ByteBuffer segment, int off) {
    if (off + HEADER_FIXED_V1 > segment.capacity()) {
      return false;
    }
    short magic = segment.getShort(off + H_MAGIC);
    return magic == MAGIC || magic == MAGIC_V1;
  }

  /** Whether the 8 bytes at {@code off} are zero: the end of written data. */
  public static boolean isZeroHeader(ByteBuffer segment, int off) {
    return off + 8 > segment.capacity() || segment.getLong(off) == 0;
  }

  /**
   * Parses and verifies the header at {@code off} (its own CRC, magic and bounds). Events are not
   * verified; see {@link #verifyEvents}.
   */
  public static Header readHeader(ByteBuffer segment, int off, CRC32C crc) throws Invalid {
    int capacity = segment.capacity();
    if (off < 0 || off + HEADER_FIXED_V1 > capacity) {
      throw new Invalid(off, "batch header out of segment bounds");
    }
    int length = segment.getInt(off + H_LENGTH);
    int headerLength = Short.toUnsignedInt(segment.getShort(off + H_HEADER_LENGTH));
    short magic = segment.getShort(off + H_MAGIC);
    if (magic != MAGIC && magic != MAGIC_V1) {
      throw new Invalid(off, "bad batch magic");
    }
    int fixed = magic == MAGIC ? HEADER_FIXED : HEADER_FIXED_V1;
    if (headerLength < fixed || length < headerLength || (long) off + length > capacity) {
      throw new Invalid(off, "bad batch length " + length);
    }
    crc.reset();
    crc.update(segment.slice(off + 4, headerLength - 4));
    if ((int) crc.getValue() != segment.getInt(off + H_CRC)) {
      throw new Invalid(off, "batch header checksum mismatch");
    }
    int streamLength = Short.toUnsignedInt(segment.getShort(off + H_STREAM_LENGTH));
    if (fixed + streamLength != headerLength) {
      throw new Invalid(off, "bad stream id length");
    }
    byte[] stream = new byte[streamLength];
    segment.get(off + fixed, stream);
    int count = segment.getInt(off + H_COUNT);
    if (count < 1) {
      throw new Invalid(off, "batch without events");
    }
    return new Header(off, length, count, segment.getLong(off + H_FIRST_POSITION), segment.getLong(off + H_FIRST_VERSION),
        segment.getLong(off + H_PREVIOUS), segment.getLong(off + H_CREATED), stream, align8(off + headerLength),
        magic == MAGIC ? segment.getLong(off + H_SYNCED_END) : SYNCED_END_UNKNOWN);
  }

  /**
   * Verifies every event of a batch (each CRC, back-reference, bounds, and the header's CRC over the
   * event CRCs) and returns the local offsets of the events.
   */
  public static int[] verifyEvents(ByteBuffer segment, Header h, CRC32C crc) throws Invalid {
    int[] offsets = new int[h.count()];
    CRC32C chain = new CRC32C();
    byte[] four = new byte[4];
    int end = h.localOffset() + h.length();
    int at = h.eventsStart();
    for (int k = 0; k < h.count(); k++) {
      if (at + EVENT_FIXED > end) {
        throw new Invalid(at, "event #" + k + " runs past its batch");
      }
      int eventCrc = verifyEvent(segment, at, end, crc);
      if (segment.getInt(at + E_BACKREF) != at - h.localOffset()) {
        throw new Invalid(at, "event #" + k + " does not point back to its batch");
      }
      offsets[k] = at;
      four[0] = (byte) eventCrc;
      four[1] = (byte) (eventCrc >>> 8);
      four[2] = (byte) (eventCrc >>> 16);
      four[3] = (byte) (eventCrc >>> 24);
      chain.update(four);
      at = align8(at + segment.getInt(at + E_LENGTH));
    }
    if ((int) chain.getValue() != segment.getInt(h.localOffset() + H_EVENTS_CRC)) {
      throw new Invalid(h.localOffset(), "batch events checksum mismatch (torn batch)");
    }
    return offsets;
  }

  /** Verifies one event's CRC and bounds; returns its CRC. */
  public static int verifyEvent(ByteBuffer segment, int at, int limit, CRC32C crc) throws Invalid {
    int length = segment.getInt(at + E_LENGTH);
    if (length < EVENT_FIXED || (long) at + length > limit) {
      throw new Invalid(at, "bad event length " + length);
    }
    long declared = (long) EVENT_FIXED + Short.toUnsignedInt(segment.getShort(at + E_TYPE_LENGTH))
        + Short.toUnsignedInt(segment.getShort(at + E_CT_LENGTH)) + Integer.toUnsignedLong(segment.getInt(at + E_META_LENGTH))
        + Integer.toUnsignedLong(segment.getInt(at + E_DATA_LENGTH));
    if (declared != length) {
      throw new Invalid(at, "event field lengths do not add up");
    }
    crc.reset();
    crc.update(segment.slice(at + 4, length - 4));
    int value = (int) crc.getValue();
    if (value != segment.getInt(at + E_CRC)) {
      throw new Invalid(at, "event checksum mismatch");
    }
    return value;
  }

  /** The event id at a verified event offset. */
  public static long idMsb(ByteBuffer segment, int at) {
    return segment.getLong(at + E_ID_MSB);
  }

  public static long idLsb(ByteBuffer segment, int at) {
    return segment.getLong(at + E_ID_LSB);
  }

  /** The local offset of the batch an event belongs to. */
  public static int batchOffsetOf(ByteBuffer segment, int eventOffset) {
    return eventOffset - segment.getInt(eventOffset + E_BACKREF);
  }

  /** Hash of an event's type bytes (for the position table). */
  public static int typeHash(ByteBuffer segment, int at) {
    int len = Short.toUnsignedInt(segment.getShort(at + E_TYPE_LENGTH));
    byte[] type = new byte[len];
    segment.get(at + EVENT_FIXED, type);
    return io.factum.embedded.index.Hashing.hash32(type, 0, len);
  }

  /** Decodes a verified event into a {@link RecordedEvent}. */
  public static RecordedEvent decode(ByteBuffer segment, int at, Header h, long position, StringCache strings) {
    int typeLength = Short.toUnsignedInt(segment.getShort(at + E_TYPE_LENGTH));
    int ctLength = Short.toUnsignedInt(segment.getShort(at + E_CT_LENGTH));
    int metaLength = segment.getInt(at + E_META_LENGTH);
    int dataLength = segment.getInt(at + E_DATA_LENGTH);
    int p = at + EVENT_FIXED;
    String type = strings.get(segment, p, typeLength);
    p += typeLength;
    String contentType = ctLength == 0 ? EventData.JSON : strings.get(segment, p, ctLength);
    p += ctLength;
    byte[] metadata = new byte[metaLength];
    segment.get(p, metadata);
    p += metaLength;
    byte[] data = new byte[dataLength];
    segment.get(p, data);
    return new RecordedEvent(new UUID(segment.getLong(at + E_ID_MSB), segment.getLong(at + E_ID_LSB)),
        strings.stream(h), type, h.firstVersion() + (position - h.firstPosition()), segment.getInt(at + E_SCHEMA),
        data, metadata, contentType, position, h.createdAt());
  }

  /** The stream id of a header equals {@code utf8}. */
  public static boolean sameStream(Header h, byte[] utf8) {
    return java.util.Arrays.equals(h.streamId(), utf8);
  }

  static StorageException corrupt(String where, Invalid e) {
    return new StorageException("Corrupted record in " + where + ": " + e.getMessage()
        + ". The log is damaged; restore the store from a backup (nothing was skipped or changed).");
  }
}
