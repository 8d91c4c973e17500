package io.factum.embedded.log;

import static io.factum.embedded.log.BatchFormat.*;

import io.factum.api.EventData;
import io.factum.embedded.index.Hashing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32C;

/** Writes batches in {@link BatchFormat} into a buffer. Confined to the writer thread. */
public final class BatchEncoder {

  private static final int MAX_CACHED_NAMES = 10_000;

  private final CRC32C crc = new CRC32C();
  private final CRC32C chain = new CRC32C();
  private final byte[] four = new byte[4];
  private final Map<String, byte[]> utf8 = new HashMap<>();
  private final Map<String, Integer> typeHashes = new HashMap<>();

  /** UTF-8 bytes of an event or content type, cached: a store sees few distinct names. */
  public byte[] utf8(String name) {
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

  public int typeHash(String type) {
    Integer h = typeHashes.get(type);
    if (h == null) {
      byte[] b = utf8(type);
      h = Hashing.hash32(b, 0, b.length);
      typeHashes.put(type, h);
    }
    return h;
  }

  /** The exact encoded size of a batch, padding included. */
  public long sizeOf(byte[] streamId, List<EventData> events) {
    long size = headerSize(streamId.length);
    for (EventData e : events) {
      size += eventSize(utf8(e.eventType()).length, contentTypeBytes(e).length, e.metadataBuffer().remaining(),
          e.dataBuffer().remaining());
    }
    return size;
  }

  private byte[] contentTypeBytes(EventData e) {
    return EventData.JSON.equals(e.contentType()) ? new byte[0] : utf8(e.contentType());
  }

  /**
   * Encodes a batch at {@code base} of {@code out} (a little-endian buffer with room for {@link
   * #sizeOf}). Fills {@code eventOffsets} with each event's offset relative to {@code base}.
   *
   * @return the padded size written
   */
  public int encode(ByteBuffer out, int base, byte[] streamId, long firstPosition, long firstVersion, long previousStreamPosition,
      long createdAtMicros, List<EventData> events, UUID[] ids, int[] eventOffsets) {
    int headerLength = HEADER_FIXED + streamId.length;
    int at = base + align8(headerLength);
    chain.reset();
    for (int k = 0; k < events.size(); k++) {
      EventData e = events.get(k);
      byte[] type = utf8(e.eventType());
      byte[] ct = contentTypeBytes(e);
      ByteBuffer meta = e.metadataBuffer();
      ByteBuffer data = e.dataBuffer();
      int length = EVENT_FIXED + type.length + ct.length + meta.remaining() + data.remaining();
      eventOffsets[k] = at - base;
      out.putInt(at + E_LENGTH, length);
      out.putInt(at + E_BACKREF, at - base);
      out.putInt(at + E_SCHEMA, e.schemaVersion());
      out.putLong(at + E_ID_MSB, ids[k].getMostSignificantBits());
      out.putLong(at + E_ID_LSB, ids[k].getLeastSignificantBits());
      out.putShort(at + E_TYPE_LENGTH, (short) type.length);
      out.putShort(at + E_CT_LENGTH, (short) ct.length);
      out.putInt(at + E_META_LENGTH, meta.remaining());
      out.putInt(at + E_DATA_LENGTH, data.remaining());
      int p = at + EVENT_FIXED;
      out.put(p, type);
      p += type.length;
      out.put(p, ct);
      p += ct.length;
      int metaLength = meta.remaining();
      out.put(p, meta, meta.position(), metaLength);
      p += metaLength;
      int dataLength = data.remaining();
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
      four[0] = (byte) eventCrc;
      four[1] = (byte) (eventCrc >>> 8);
      four[2] = (byte) (eventCrc >>> 16);
      four[3] = (byte) (eventCrc >>> 24);
      chain.update(four);
      at = padded;
    }
    int lastEventEnd = at; // padded end of the last event
    out.putInt(base + H_LENGTH, lastEventEnd - base);
    out.putShort(base + H_MAGIC, MAGIC);
    out.putShort(base + H_HEADER_LENGTH, (short) headerLength);
    out.putInt(base + H_COUNT, events.size());
    out.putLong(base + H_FIRST_POSITION, firstPosition);
    out.putLong(base + H_FIRST_VERSION, firstVersion);
    out.putLong(base + H_PREVIOUS, previousStreamPosition);
    out.putLong(base + H_CREATED, createdAtMicros);
    out.putInt(base + H_EVENTS_CRC, (int) chain.getValue());
    out.putShort(base + H_STREAM_LENGTH, (short) streamId.length);
    out.put(base + HEADER_FIXED, streamId);
    for (int p = base + headerLength; p < base + align8(headerLength); p++) {
      out.put(p, (byte) 0);
    }
    crc.reset();
    crc.update(out.slice(base + 4, headerLength - 4));
    out.putInt(base + H_CRC, (int) crc.getValue());
    return lastEventEnd - base;
  }
}
