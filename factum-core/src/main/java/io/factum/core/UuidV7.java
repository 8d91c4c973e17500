package io.factum.core;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Time-ordered UUIDs, version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 bits that start
 * random in each millisecond and count up within it ("monotonic random", method 2 of the RFC), so ids
 * from one generator are strictly increasing even within a millisecond or if the clock steps back.
 *
 * <p>Event ids that sort by creation time keep B-tree indexes (PostgreSQL, RocksDB) append-mostly.
 * Thread-safe.
 */
public final class UuidV7 {

  private static final UuidV7 SHARED = new UuidV7();

  private static final long RAND_A_LIMIT = 1L << 12;
  private static final long RAND_B_LIMIT = 1L << 62;

  private final SecureRandom random = new SecureRandom();
  private long millis = -1;
  private long randA; // 12 bits
  private long randB; // 62 bits

  /** A new id from the process-wide generator. */
  public static UUID next() {
    return SHARED.generate();
  }

  /** A new id, greater than every id this generator returned before. */
  public synchronized UUID generate() {
    long now = System.currentTimeMillis();
    if (now > millis) {
      reseed(now);
    } else if (++randB == RAND_B_LIMIT) {
      randB = 0;
      if (++randA == RAND_A_LIMIT) {
        reseed(millis + 1); // counter exhausted: borrow the next millisecond
      }
    }
    long msb = (millis << 16) | (0x7L << 12) | randA;
    long lsb = (0b10L << 62) | randB;
    return new UUID(msb, lsb);
  }

  private void reseed(long newMillis) {
    millis = newMillis;
    long r = random.nextLong();
    randA = (r >>> 53) & 0x7FF; // 11 random bits, top bit clear: room to count up
    randB = random.nextLong() & (RAND_B_LIMIT - 1);
  }

  /** The Unix milliseconds embedded in a version-7 UUID. */
  public static long millisOf(UUID id) {
    if (id.version() != 7) {
      throw new IllegalArgumentException("not a version 7 UUID: " + id);
    }
    return id.getMostSignificantBits() >>> 16;
  }
}
