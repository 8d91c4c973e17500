package io.factum.core;

import io.factum.api.AppendResult;
import io.factum.api.FactumException;
import io.factum.api.StorageException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * For backends whose appends are answered by a writer thread: waits for the answer and rethrows a
 * failure as the API exception it is, with the calling thread's stack attached, so callers see the
 * same exception types as from a synchronous store.
 */
public final class AppendAnswers {

  private AppendAnswers() {}

  /**
   * The result the writer completed {@code answer} with.
   *
   * @throws FactumException the writer's failure, of its own type
   * @throws StorageException wrapping any other failure
   */
  public static AppendResult await(CompletableFuture<AppendResult> answer) {
    try {
      return answer.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof FactumException) {
        // A fresh exception of the same kind would lose the type; add this thread's stack instead.
        cause.addSuppressed(new Exception("append called here"));
        throw (FactumException) cause;
      }
      throw new StorageException("Append failed: " + cause, cause);
    }
  }

  /**
   * The future of an append that {@code submit} validates and queues; what {@code submit} throws (bad
   * input, a closed store) fails the future instead, so {@code appendAsync} never throws.
   */
  public static CompletableFuture<AppendResult> started(Supplier<CompletableFuture<AppendResult>> submit) {
    try {
      return submit.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
