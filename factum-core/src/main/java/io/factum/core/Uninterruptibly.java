package io.factum.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Waits that an interrupt must not cut short — a store's shutdown may only close its files once its
 * writer has answered every append. Each returns whether the calling thread was interrupted while it
 * waited (the flag is then cleared), so the caller can restore it when done.
 */
public final class Uninterruptibly {

  private Uninterruptibly() {}

  /** Waits until {@code thread} has ended. */
  public static boolean join(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }

  /** Waits until the shut-down {@code executor}'s tasks have ended, at most {@code minutes} minutes. */
  public static boolean awaitTermination(ExecutorService executor, long minutes) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
    while (true) {
      try {
        executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }

  /** Waits until {@code latch} is open. */
  public static boolean await(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }
}
