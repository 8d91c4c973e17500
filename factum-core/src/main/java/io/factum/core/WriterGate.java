package io.factum.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The door between callers and a backend's writer thread. Appends pass it to reach the writer's
 * queue; closing shuts it and waits for appends passing at that moment, so after {@link #close()}
 * nothing new reaches a writer that is about to stop, and every append already handed over is
 * answered. {@link #close(Object, String, Runnable)} is a store's whole {@code close()}, run once.
 * Thread-safe.
 */
public final class WriterGate {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final CountDownLatch shutDown = new CountDownLatch(1);
  private volatile boolean closed;

  /** Whether {@link #close()} was called. */
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

  /**
   * A store's {@code close()}: shuts the gate and runs {@code shutDown} — here, or on a new thread
   * named {@code threadName} when called on one of {@code owner}'s own threads, where it would wait for
   * itself (see {@link AnsweringThreads}). A later call returns once that shutdown has finished, so a
   * store is closed whenever a {@code close()} outside its own threads returns.
   */
  public void close(Object owner, String threadName, Runnable shutDown) {
    if (!close()) {
      if (!AnsweringThreads.isCurrent(owner) && Uninterruptibly.await(this.shutDown)) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    AnsweringThreads.runOffOwnThreads(owner, threadName, () -> {
      try {
        shutDown.run();
      } finally {
        this.shutDown.countDown();
      }
    });
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
