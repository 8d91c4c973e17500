package io.factum.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendResult;
import io.factum.api.ExpectedVersion;
import io.factum.api.StorageException;
import io.factum.api.WrongExpectedVersionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AppendAnswersTest {

  @Test
  void aBlockingAppendOnAnAnsweringThreadIsRefusedInsteadOfWaitingForItself() throws Exception {
    CompletableFuture<AppendResult> unanswered = new CompletableFuture<>();
    CompletableFuture<AppendResult> answered = CompletableFuture.completedFuture(AppendResult.written("S-1", 1, 1, 1, 1));
    AtomicReference<Throwable> refused = new AtomicReference<>();
    AtomicReference<AppendResult> ready = new AtomicReference<>();

    Thread answering = new Thread(AnsweringThreads.marking(() -> {
      try {
        AppendAnswers.await(unanswered);
      } catch (Throwable t) {
        refused.set(t);
      }
      ready.set(AppendAnswers.await(answered)); // an answer already there is fine anywhere
    }));
    answering.start();
    answering.join(10_000);

    assertThat(refused.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("thenComposeAsync");
    assertThat(ready.get()).isEqualTo(answered.join());
    assertThat(AnsweringThreads.isCurrent()).as("the test thread is not marked").isFalse();
  }

  @Test
  void failuresAreRethrownAsTheirOwnType() {
    WrongExpectedVersionException stale = new WrongExpectedVersionException("S-1", ExpectedVersion.exactly(1), 2);

    assertThatThrownBy(() -> AppendAnswers.await(CompletableFuture.failedFuture(stale))).isSameAs(stale);
    assertThatThrownBy(() -> AppendAnswers.await(CompletableFuture.failedFuture(new java.io.IOException("disk"))))
        .isInstanceOf(StorageException.class).hasMessageContaining("disk");
  }
}
