package io.factum.core;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The door between callers and a backend's writer thread. Appends pass it to reach the writer's
 * queue; closing shuts it and waits for appends passing at that moment, so after {@link #close}
 * nothing new reaches a writer that is about to stop, and every append already handed over is
 * answered. Thread-safe.
 */
public final class WriterGate {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /** Whether {@link #close} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Runs {@code handOff} (queueing an append for the writer) unless closed; false when closed. */
  public boolean pass(Runnable handOff) {
    lock.readLock().lock();
    try {
      if (closed) {
        return false;
      }
      handOff.run();
      return true;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Shuts the gate; true for the call that shut it, false if it already was. */
  public boolean close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }
}
