package io.factum.embedded.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small, lossy cache from UTF-8 bytes to strings, so decoding many events of the same few types
 * and streams does not allocate a string per event. Confined to one thread.
 */
public final class StringCache {

  private static final int SLOTS = 256;

  private final byte[][] keys = new byte[SLOTS][];
  private final String[] values = new String[SLOTS];
  private BatchFormat.Header lastHeader;
  private String lastStream;

  /** The string of {@code length} UTF-8 bytes at {@code at}. */
  public String get(ByteBuffer buffer, int at, int length) {
    int h = length;
    for (int k = 0; k < length; k++) {
      h = 31 * h + buffer.get(at + k);
    }
    int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
    byte[] key = keys[slot];
    if (key != null && key.length == length && equalsAt(buffer, at, key)) {
      return values[slot];
    }
    byte[] bytes = new byte[length];
    buffer.get(at, bytes);
    String s = new String(bytes, StandardCharsets.UTF_8);
    keys[slot] = bytes;
    values[slot] = s;
    return s;
  }

  /** The stream id of a header, decoded once per header. */
  String stream(BatchFormat.Header h) {
    if (h != lastHeader) {
      if (lastHeader == null || !Arrays.equals(lastHeader.streamId(), h.streamId())) {
        lastStream = h.streamIdString();
      }
      lastHeader = h;
    }
    return lastStream;
  }

  private static boolean equalsAt(ByteBuffer buffer, int at, byte[] key) {
    for (int k = 0; k < key.length; k++) {
      if (buffer.get(at + k) != key[k]) {
        return false;
      }
    }
    return true;
  }
}
