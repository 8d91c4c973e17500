package io.factum.embedded.log;

import static io.factum.embedded.log.BatchFormat.*;

import io.factum.api.EventData;
import io.factum.api.EventTooLargeException;
import io.factum.embedded.index.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Writes batches in {@link BatchFormat}, in two steps that may run on different threads:
 * {@link #encodeEvents} (the bulk: event records and their checksums, which contain no position or
 * version, so the appending thread does it before the writer sees the append) and {@link
 * #writeHeader} (on the writer, once positions and versions are known). One instance per thread.
 */
public final class BatchEncoder {

  private static final int MAX_CACHED_NAMES = 10_000;
  private static final byte[] NO_BYTES = new byte[0];
  /** Each appending thread keeps at most this much encoding space between appends. */
  private static final int RETAINED_SCRATCH_BYTES = 1 << 20;

  private final CRC32C crc = new CRC32C();
  private final Map<String, byte[]> utf8 = new HashMap<>();
  private final Map<String, Integer> typeHashes = new HashMap<>();
  private ByteBuffer scratch = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private String lastType;
  private byte[] lastTypeBytes;
  private int lastTypeHash;

  /**
   * The events of one append, encoded; in the encoder's scratch space (valid until its next {@code
   * encodeEvents}) unless encoded into a buffer of their own.
   */
  public record Encoded(ByteBuffer bytes, int length, int[] eventOffsets, int eventsCrc, int[] typeHashes) {}

  private byte[] utf8(String name) {
    if (name == lastType) {
      return lastTypeBytes;
    }
    byte[] b = utf8.get(name);
    if (b == null) {
      if (utf8.size() > MAX_CACHED_NAMES) {
        utf8.clear();
        typeHashes.clear();
      }
      b = name.getBytes(StandardCharsets.UTF_8);
      utf8.put(name, b);
    }
    return b;
  }

  private int typeHash(String type, byte[] bytes) {
    if (type == lastType) {
      return lastTypeHash;
    }
    Integer h = typeHashes.get(type);
    if (h == null) {
      h = Hashing.hash32(bytes, 0, bytes.length);
      typeHashes.put(type, h);
    }
    lastType = type;
    lastTypeBytes = bytes;
    lastTypeHash = h;
    return h;
  }

  private byte[] contentTypeBytes(EventData e) {
    String ct = e.contentType();
    return EventData.JSON.equals(ct) ? NO_BYTES : utf8(ct);
  }

  /**
   * Encodes the event records of a batch whose header will be {@code headerSize} bytes, into this
   * encoder's reusable buffer. Offsets, back-references and checksums are final.
   */
  public Encoded encodeEvents(List<EventData> events, UUID[] ids, int headerSize, int maxBatchBytes, String streamId, boolean ownBuffer) {
    int n = events.size();
    long size = 0;
    for (EventData e : events) {
      size += eventSize(utf8(e.eventType()).length, contentTypeBytes(e).length, 0, 0) + e.sizeInBytes() + 8;
    }
    if (headerSize + size > maxBatchBytes) {
      throw new EventTooLargeException("The append to '" + streamId + "' encodes to about " + (headerSize + size)
          + " bytes, more than this store's largest batch (" + maxBatchBytes + " bytes); split it into smaller appends");
    }
    ByteBuffer out;
    if (size <= RETAINED_SCRATCH_BYTES && !ownBuffer) {
      if (scratch.capacity() < size) {
        scratch = ByteBuffer.allocateDirect(RETAINED_SCRATCH_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      }
      out = scratch;
    } else {
      // large and rare, or for a caller that does not wait for this append before its next one
      out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    }
    int[] offsets = new int[n];
    int[] hashes = new int[n];
    byte[] crcs = new byte[4 * n];
    int at = 0;
    for (int k = 0; k < n; k++) {
      EventData e = events.get(k);
      String typeName = e.eventType();
      byte[] type = utf8(typeName);
      hashes[k] = typeHash(typeName, type);
      byte[] ct = contentTypeBytes(e);
      ByteBuffer meta = e.metadataBuffer();
      ByteBuffer data = e.dataBuffer();
      int metaLength = meta.remaining();
      int dataLength = data.remaining();
      int length = EVENT_FIXED + type.length + ct.length + metaLength + dataLength;
      offsets[k] = headerSize + at;
      out.putInt(at + E_LENGTH, length);
      out.putInt(at + E_BACKREF, headerSize + at);
      out.putInt(at + E_SCHEMA, e.schemaVersion());
      out.putLong(at + E_ID_MSB, ids[k].getMostSignificantBits());
      out.putLong(at + E_ID_LSB, ids[k].getLeastSignificantBits());
      out.putShort(at + E_TYPE_LENGTH, (short) type.length);
      out.putShort(at + E_CT_LENGTH, (short) ct.length);
      out.putInt(at + E_META_LENGTH, metaLength);
      out.putInt(at + E_DATA_LENGTH, dataLength);
      int p = at + EVENT_FIXED;
      out.put(p, type);
      p += type.length;
      if (ct.length > 0) {
        out.put(p, ct);
        p += ct.length;
      }
      out.put(p, meta, meta.position(), metaLength);
      p += metaLength;
      out.put(p, data, data.position(), dataLength);
      p += dataLength;
      int padded = align8(p);
      while (p < padded) {
        out.put(p++, (byte) 0);
      }
      crc.reset();
      crc.update(out.slice(at + 4, length - 4));
      int eventCrc = (int) crc.getValue();
      out.putInt(at + E_CRC, eventCrc);
      crcs[4 * k] = (byte) eventCrc;
      crcs[4 * k + 1] = (byte) (eventCrc >>> 8);
      crcs[4 * k + 2] = (byte) (eventCrc >>> 16);
      crcs[4 * k + 3] = (byte) (eventCrc >>> 24);
      at = padded;
    }
    crc.reset();
    crc.update(crcs);
    return new Encoded(out, at, offsets, (int) crc.getValue(), hashes);
  }

  /**
   * Writes a batch header at {@code base} of {@code out}, for events already in place after it.
   *
   * @return the padded size of the whole batch
   */
  public int writeHeader(ByteBuffer out, int base, byte[] streamId, long firstPosition, long firstVersion,
      long previousStreamPosition, long createdAtMicros, int count, int eventsLength, int eventsCrc, long syncedEnd) {
    int headerLength = HEADER_FIXED + streamId.length;
    int headerSize = align8(headerLength);
    out.putInt(base + H_LENGTH, headerSize + eventsLength);
    out.putShort(base + H_MAGIC, MAGIC);
    out.putShort(base + H_HEADER_LENGTH, (short) headerLength);
    out.putInt(base + H_COUNT, count);
    out.putLong(base + H_FIRST_POSITION, firstPosition);
    out.putLong(base + H_FIRST_VERSION, firstVersion);
    out.putLong(base + H_PREVIOUS, previousStreamPosition);
    out.putLong(base + H_CREATED, createdAtMicros);
    out.putInt(base + H_EVENTS_CRC, eventsCrc);
    out.putShort(base + H_STREAM_LENGTH, (short) streamId.length);
    out.putShort(base + H_STREAM_LENGTH + 2, (short) 0);
    out.putLong(base + H_SYNCED_END, syncedEnd);
    out.put(base + HEADER_FIXED, streamId);
    for (int p = base + headerLength; p < base + headerSize; p++) {
      out.put(p, (byte) 0);
    }
    crc.reset();
    crc.update(out.slice(base + 4, headerLength - 4));
    out.putInt(base + H_CRC, (int) crc.getValue());
    return headerSize + eventsLength;
  }
}
