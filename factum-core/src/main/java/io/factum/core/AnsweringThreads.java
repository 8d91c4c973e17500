package io.factum.core;

/**
 * Marks the threads that answer a store's appends (its writer, its completer). Callbacks attached to
 * an {@code appendAsync} future may run on them, and a blocking call made there that needs the same
 * threads — {@code append} or {@code close} on that store, a command handler — would wait for itself.
 * Stores and handlers ask {@link #isCurrent} / {@link #isAny} first and refuse or hand the work off.
 */
public final class AnsweringThreads {

  private static final ThreadLocal<Object> OWNER = new ThreadLocal<>();

  private AnsweringThreads() {}

  /** {@code task}, run with its thread marked as answering {@code owner}'s appends (for thread factories). */
  public static Runnable marking(Object owner, Runnable task) {
    return () -> {
      OWNER.set(owner);
      task.run();
    };
  }

  /** Whether the calling thread answers {@code owner}'s appends. */
  public static boolean isCurrent(Object owner) {
    return owner != null && OWNER.get() == owner;
  }

  /** Whether the calling thread answers some store's appends. */
  public static boolean isAny() {
    return OWNER.get() != null;
  }

  /**
   * Refuses a blocking append made on one of {@code owner}'s answering threads, before anything is
   * queued (so nothing is written).
   *
   * @throws IllegalStateException when called on such a thread
   */
  public static void refuseBlockingAppend(Object owner) {
    if (isCurrent(owner)) {
      throw new IllegalStateException("A blocking append was made on the store's own writer or completion thread (in a"
          + " callback of an appendAsync future), where it would wait for itself; nothing was written. Run such work"
          + " elsewhere, e.g. with future.thenComposeAsync(r -> store.appendAsync(...), executor).");
    }
  }

  /**
   * Runs {@code work} (a shutdown that waits for {@code owner}'s threads) here, or on a new thread
   * named {@code threadName} when called on one of those threads, where it would wait for itself.
   */
  public static void runOffOwnThreads(Object owner, String threadName, Runnable work) {
    if (isCurrent(owner)) {
      new Thread(work, threadName).start();
    } else {
      work.run();
    }
  }
}
