package io.factum.core;

/**
 * Marks the threads of a backend that answer appends (its writer, its completer). Callbacks attached
 * to an {@code appendAsync} future may run on them; a blocking {@code append} made there would wait
 * for the very thread it blocks, so {@link AppendAnswers#await} refuses it with a clear error instead.
 */
public final class AnsweringThreads {

  private static final ThreadLocal<Boolean> ANSWERING = ThreadLocal.withInitial(() -> Boolean.FALSE);

  private AnsweringThreads() {}

  /** Marks the calling thread as one that answers appends. */
  public static void markCurrent() {
    ANSWERING.set(Boolean.TRUE);
  }

  /** Whether the calling thread answers appends. */
  public static boolean isCurrent() {
    return ANSWERING.get();
  }

  /** {@code task}, marking the thread that runs it (for thread factories). */
  public static Runnable marking(Runnable task) {
    return () -> {
      markCurrent();
      task.run();
    };
  }
}
