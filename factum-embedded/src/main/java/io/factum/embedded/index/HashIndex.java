package io.factum.embedded.index;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A persistent hash map from 64-bit keys to 64-bit values (global positions), in memory-mapped
 * files: open addressing with linear probing, split into shards that grow independently (so a resize
 * rehashes 1/64th of the entries, not all of them).
 *
 * <p>Keys are hashes, so two different things can share a key; every lookup therefore passes a
 * predicate that checks the candidate value against the log (the event at that position really has
 * this id, this stream and version). A wrong candidate is skipped and probing goes on, which makes
 * the index exact whatever the hash collisions.
 *
 * <p>One writer thread, any number of readers: a slot's value is written before its key (release),
 * and readers read the key first (acquire). A resized shard is published whole; readers holding the
 * old one see a consistent, older table. The index is derived from the log: after a crash it is
 * repaired by replaying the log from the last checkpoint.
 */
public final class HashIndex {

  static final int SLOT_BYTES = 16;
  static final int MIN_CAPACITY_BITS = 9;
  private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final Pattern NAME = Pattern.compile("hash-(\\d{2})-(\\d{6})\\.idx");

  private final Path dir;
  private final int shardBits;
  private final Shard[] shards;
  private final Object resizeLock = new Object();

  /** One shard's published table. Immutable apart from slot contents and the writer-owned count. */
  static final class Shard {
    final int index;
    final int generation;
    final int capacityBits;
    final long mask;
    final MappedByteBuffer map;
    long count;

    Shard(int index, int generation, int capacityBits, MappedByteBuffer map, long count) {
      this.index = index;
      this.generation = generation;
      this.capacityBits = capacityBits;
      this.mask = (1L << capacityBits) - 1;
      this.map = map;
      this.count = count;
    }
  }

  /** The state of one shard as recorded in a checkpoint. */
  public record ShardState(int generation, int capacityBits, long count) {}

  private HashIndex(Path dir, int shardBits, Shard[] shards) {
    this.dir = dir;
    this.shardBits = shardBits;
    this.shards = shards;
  }

  /**
   * Opens the shards recorded in a checkpoint ({@code states}), or creates empty ones when {@code
   * states} is null. Files of other generations are deleted.
   */
  public static HashIndex open(Path dir, int shardBits, ShardState[] states) throws IOException {
    Files.createDirectories(dir);
    int n = 1 << shardBits;
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches()) {
          int shard = Integer.parseInt(m.group(1));
          int generation = Integer.parseInt(m.group(2));
          if (states == null || shard >= n || states[shard].generation() != generation) {
            Files.delete(p);
          }
        }
      }
    }
    Shard[] shards = new Shard[n];
    for (int k = 0; k < n; k++) {
      if (states == null) {
        shards[k] = new Shard(k, 0, MIN_CAPACITY_BITS,
            MappedFiles.create(dir.resolve(name(k, 0)), (1L << MIN_CAPACITY_BITS) * SLOT_BYTES), 0);
      } else {
        ShardState s = states[k];
        shards[k] = new Shard(k, s.generation(), s.capacityBits(),
            MappedFiles.open(dir.resolve(name(k, s.generation())), (1L << s.capacityBits()) * SLOT_BYTES), s.count());
      }
    }
    return new HashIndex(dir, shardBits, shards);
  }

  private static String name(int shard, int generation) {
    return String.format("hash-%02d-%06d.idx", shard, generation);
  }

  public int shardCount() {
    return shards.length;
  }

  public int shardOf(long key) {
    return (int) (key >>> (64 - shardBits));
  }

  private Shard shard(long key) {
    return (Shard) SHARDS.getAcquire(shards, shardOf(key));
  }

  private static final VarHandle SHARDS = MethodHandles.arrayElementVarHandle(Shard[].class);

  /** The first value stored under {@code key} that {@code accept} accepts, or {@code -1}. */
  public long get(long key, LongPredicate accept) {
    Shard s = shard(key);
    long slot = key & s.mask;
    for (long probes = 0; probes <= s.mask; probes++) {
      int at = (int) (slot * SLOT_BYTES);
      long k = (long) LONGS.getAcquire(s.map, at);
      if (k == 0) {
        return -1;
      }
      if (k == key) {
        long v = (long) LONGS.getAcquire(s.map, at + 8);
        if (accept.test(v)) {
          return v;
        }
      }
      slot = (slot + 1) & s.mask;
    }
    return -1; // a full shard (never, with reserve): every slot probed
  }

  /**
   * Reads the first slot of each key, so that the lookups or puts that follow find their slots in
   * cache: these loads are independent, so the CPU overlaps their cache and TLB misses, where lookups
   * one after another wait for each in turn (measured: ~25% less per put into a table of millions of
   * entries). Changes nothing.
   */
  public void prefetch(long[] keys, int from, int to) {
    long sum = 0;
    for (int k = from; k < to; k++) {
      long key = keys[k];
      Shard s = shard(key);
      sum += s.map.getLong((int) ((key & s.mask) * SLOT_BYTES));
    }
    prefetched = sum; // keeps the loads from being optimised away
  }

  @SuppressWarnings("unused")
  private long prefetched;

  /**
   * Stores {@code value} under {@code key}: replaces the value of the entry whose value {@code
   * sameEntry} accepts, or adds a new entry. Writer thread only; room must have been {@link
   * #reserve reserved}.
   */
  public void put(long key, long value, LongPredicate sameEntry) {
    Shard s = shard(key);
    long slot = key & s.mask;
    for (long probes = 0; probes <= s.mask; probes++) {
      int at = (int) (slot * SLOT_BYTES);
      long k = (long) LONGS.getAcquire(s.map, at);
      if (k == 0) {
        LONGS.setRelease(s.map, at + 8, value);
        LONGS.setRelease(s.map, at, key);
        s.count++;
        return;
      }
      if (k == key && sameEntry.test((long) LONGS.getAcquire(s.map, at + 8))) {
        LONGS.setRelease(s.map, at + 8, value);
        return;
      }
      slot = (slot + 1) & s.mask;
    }
    throw new IllegalStateException("Index shard " + s.index + " is full (" + s.count + " entries): space was not reserved");
  }

  /**
   * Grows the shards that would pass their load limit if the given keys were all added. Called before
   * the log is written, so the index never needs to allocate (and cannot fail on a full disk) after
   * events became durable.
   */
  public void reserve(long[] keys, int length) throws IOException {
    int[] added = new int[shards.length];
    for (int k = 0; k < length; k++) {
      added[shardOf(keys[k])]++;
    }
    for (int k = 0; k < shards.length; k++) {
      Shard s = shards[k];
      if (added[k] > 0 && s.count + added[k] > maxLoad(k) * (1L << s.capacityBits)) {
        grow(s, s.count + added[k]);
      }
    }
  }

  /**
   * Grows the shard nearest its load limit, if it is past {@code fraction} of it: ahead of need, while
   * the writer waits for a sync anyway, so that {@link #reserve} rarely grows a shard on an append's
   * path. Writer thread only.
   *
   * @return whether a shard grew
   */
  public boolean growAhead(double fraction) throws IOException {
    Shard nearest = null;
    double highest = fraction;
    for (int k = 0; k < shards.length; k++) {
      Shard s = shards[k];
      double load = s.count / (maxLoad(k) * (1L << s.capacityBits));
      if (load > highest) {
        nearest = s;
        highest = load;
      }
    }
    if (nearest == null) {
      return false;
    }
    grow(nearest, nearest.count);
    return true;
  }

  /**
   * Each shard has its own load limit, between 0.55 and 0.8: keys spread evenly, so with one limit
   * all shards would double at the same moment (measured: a 2.5 s stall at 6 M entries).
   */
  private double maxLoad(int shard) {
    return 0.55 + 0.25 * shard / shards.length;
  }

  /**
   * Rebuilds a shard at a larger size. The new table is built in heap memory and written to its
   * file in one sequential pass, then mapped: rehashing straight into a fresh mapping page-faults on
   * every page, which measured five times slower.
   */
  private void grow(Shard old, long entries) throws IOException {
    int bits = old.capacityBits;
    while (entries > maxLoad(old.index) * (1L << bits) / 2) {
      bits++;
    }
    long capacity = 1L << bits;
    if (capacity * SLOT_BYTES > Integer.MAX_VALUE) { // one mapping per shard file
      throw new IOException("Index shard " + old.index + " cannot grow to " + capacity + " slots (its file would pass 2 GiB)");
    }
    long[] table = new long[(int) (capacity * 2)];
    long mask = capacity - 1;
    long count = 0;
    long oldCapacity = 1L << old.capacityBits;
    for (long slot = 0; slot < oldCapacity; slot++) {
      int at = (int) (slot * SLOT_BYTES);
      long key = old.map.getLong(at);
      if (key != 0) {
        long target = key & mask;
        while (table[(int) (target * 2)] != 0) {
          target = (target + 1) & mask;
        }
        table[(int) (target * 2)] = key;
        table[(int) (target * 2 + 1)] = old.map.getLong(at + 8);
        count++;
      }
    }
    int generation = old.generation + 1;
    MappedByteBuffer map = MappedFiles.write(dir.resolve(name(old.index, generation)), table);
    Shard grown = new Shard(old.index, generation, bits, map, count);
    synchronized (resizeLock) {
      SHARDS.setRelease(shards, old.index, grown);
    }
  }

  /** Counts the entries of every shard from its slots (after a crash the recorded counts may be stale). */
  public void recount() {
    for (Shard s : shards) {
      long n = 0;
      long capacity = 1L << s.capacityBits;
      for (long slot = 0; slot < capacity; slot++) {
        if (s.map.getLong((int) (slot * SLOT_BYTES)) != 0) {
          n++;
        }
      }
      s.count = n;
    }
  }

  /**
   * A consistent view of the shards for a checkpoint, taken under the resize lock together with
   * whatever {@code alsoUnderLock} captures (the indexed position).
   */
  public ShardState[] snapshot(Runnable alsoUnderLock) {
    synchronized (resizeLock) {
      alsoUnderLock.run();
      ShardState[] out = new ShardState[shards.length];
      for (int k = 0; k < shards.length; k++) {
        Shard s = shards[k];
        out[k] = new ShardState(s.generation, s.capacityBits, s.count);
      }
      return out;
    }
  }

  /** Forces the mapped pages of the given shard generations to disk. */
  public void force(ShardState[] states) throws IOException {
    force(states, false);
  }

  /**
   * Forces the mapped pages of the given shard generations to disk; {@code paced}, it rests after each
   * shard as long as its force took, so a background checkpoint uses about half the disk and the log's
   * syncs are not queued behind the whole index.
   */
  public void force(ShardState[] states, boolean paced) throws IOException {
    for (int k = 0; k < shards.length; k++) {
      long started = System.nanoTime();
      forceShard(k, states);
      if (paced) {
        java.util.concurrent.locks.LockSupport.parkNanos(Math.min(System.nanoTime() - started, 100_000_000L));
      }
    }
  }

  private void forceShard(int k, ShardState[] states) throws IOException {
    Shard s = shards[k];
    if (s.generation == states[k].generation()) {
      s.map.force();
    } else {
      // Grown since the snapshot: the snapshot's generation file is still on disk; sync it by path.
      Path p = dir.resolve(name(k, states[k].generation()));
      if (Files.exists(p)) {
        try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
          ch.force(false);
        }
      }
    }
  }

  /** Deletes shard files older than the generations a just-written checkpoint refers to. */
  public void deleteOlderThan(ShardState[] states) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches()) {
          int shard = Integer.parseInt(m.group(1));
          if (shard < states.length && Integer.parseInt(m.group(2)) < states[shard].generation()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }
}
