package io.factum.core.command;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/** One fair lock per key, made on first use and dropped when nobody holds or waits for it. Thread-safe. */
final class KeyedLocks {

  /** A held lock; {@link #close} releases it. */
  final class Held implements AutoCloseable {
    private final String key;
    private final Entry entry;

    private Held(String key, Entry entry) {
      this.key = key;
      this.entry = entry;
    }

    @Override
    public void close() {
      entry.lock.unlock();
      locks.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }
  }

  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock(true);
    int users; // changed only inside the map's compute functions, which are atomic per key
  }

  private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();

  /** Waits for {@code key}'s lock (in arrival order) and returns it held. */
  Held lock(String key) {
    Entry entry = locks.compute(key, (k, e) -> {
      Entry x = e == null ? new Entry() : e;
      x.users++;
      return x;
    });
    entry.lock.lock();
    return new Held(key, entry);
  }

  /** Keys with a lock held or waited for (for tests). */
  int size() {
    return locks.size();
  }
}
