package io.factum.embedded.index;

import java.util.UUID;

/**
 * The hash functions behind every on-disk index. They are part of the storage format: changing one
 * means a new format version (indexes can always be rebuilt from the log).
 */
public final class Hashing {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long SEED_ID = 0x5bd1e9955bd1e995L;
  private static final long SEED_VERSION = 0x9e3779b97f4a7c15L;
  private static final long SEED_HEAD = 0xc2b2ae3d27d4eb4fL;

  private Hashing() {}

  /** splitmix64's finaliser: a fast, well-mixed 64-bit bijection. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** FNV-1a over bytes, finalised with {@link #mix64}. */
  public static long hash64(byte[] bytes, int offset, int length) {
    long h = FNV_OFFSET;
    for (int k = offset; k < offset + length; k++) {
      h = (h ^ (bytes[k] & 0xFF)) * FNV_PRIME;
    }
    return mix64(h);
  }

  public static long hash64(byte[] bytes) {
    return hash64(bytes, 0, bytes.length);
  }

  /** The 32-bit hash kept per event in the position table, for category and event-type filters. */
  public static int hash32(byte[] bytes, int offset, int length) {
    return (int) hash64(bytes, offset, length);
  }

  /** Hash of a stream's category: the UTF-8 bytes before the first '-' (or all of them). */
  public static int categoryHash(byte[] streamIdUtf8) {
    int end = 0;
    while (end < streamIdUtf8.length && streamIdUtf8[end] != '-') {
      end++;
    }
    return hash32(streamIdUtf8, 0, end);
  }

  /** Index key of an event id. Never 0 (0 marks an empty slot). */
  public static long idKey(long msb, long lsb) {
    return nonZero(mix64(msb ^ mix64(lsb ^ SEED_ID)));
  }

  public static long idKey(UUID id) {
    return idKey(id.getMostSignificantBits(), id.getLeastSignificantBits());
  }

  /** Index key of one version of a stream. */
  public static long versionKey(long streamHash, long version) {
    return nonZero(mix64(streamHash ^ mix64(version + SEED_VERSION)));
  }

  /** Index key of a stream's head (its last event). */
  public static long headKey(long streamHash) {
    return nonZero(mix64(streamHash ^ SEED_HEAD));
  }

  private static long nonZero(long key) {
    return key == 0 ? 1 : key;
  }
}
