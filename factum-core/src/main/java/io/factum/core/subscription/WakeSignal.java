package io.factum.core.subscription;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A coalescing "something happened" flag for one waiting thread. Any number of {@link #wake()} calls
 * between two waits collapse into one wake-up, so a burst of appends costs a live subscription one
 * read, not one per append.
 */
final class WakeSignal {

  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile Thread waiter;

  void wake() {
    if (pending.compareAndSet(false, true)) {
      Thread t = waiter;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  /** Forgets earlier wake-ups; call before reading so a wake during the read is not lost. */
  void clear() {
    pending.set(false);
  }

  /** Waits until woken or the timeout passes. */
  void await(long timeout, TimeUnit unit) {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    waiter = Thread.currentThread();
    try {
      while (!pending.get()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        LockSupport.parkNanos(this, left);
      }
    } finally {
      waiter = null;
    }
  }
}
