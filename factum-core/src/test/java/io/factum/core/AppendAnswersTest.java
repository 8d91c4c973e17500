package io.factum.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.ExpectedVersion;
import io.factum.api.StorageException;
import io.factum.api.WrongExpectedVersionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AppendAnswersTest {

  @Test
  void aBlockingAppendIsRefusedOnlyOnTheThreadsOfItsOwnStore() throws Exception {
    Object store = new Object();
    Object otherStore = new Object();
    AtomicReference<Throwable> refused = new AtomicReference<>();
    AtomicReference<Boolean> otherAllowed = new AtomicReference<>();
    AtomicReference<Boolean> marked = new AtomicReference<>();

    Thread answering = new Thread(AnsweringThreads.marking(store, () -> {
      try {
        AnsweringThreads.refuseBlockingAppend(store);
      } catch (Throwable t) {
        refused.set(t);
      }
      AnsweringThreads.refuseBlockingAppend(otherStore); // another store's append cannot wait for this thread
      otherAllowed.set(true);
      marked.set(AnsweringThreads.isAny());
    }));
    answering.start();
    answering.join(10_000);

    assertThat(refused.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing was written");
    assertThat(otherAllowed.get()).isTrue();
    assertThat(marked.get()).isTrue();
    assertThat(AnsweringThreads.isAny()).as("the test thread is not marked").isFalse();
    AnsweringThreads.refuseBlockingAppend(store); // nor refused
  }

  @Test
  void failuresAreRethrownAsTheirOwnType() {
    WrongExpectedVersionException stale = new WrongExpectedVersionException("S-1", ExpectedVersion.exactly(1), 2);

    assertThatThrownBy(() -> AppendAnswers.await(CompletableFuture.failedFuture(stale))).isSameAs(stale);
    assertThatThrownBy(() -> AppendAnswers.await(CompletableFuture.failedFuture(new java.io.IOException("disk"))))
        .isInstanceOf(StorageException.class).hasMessageContaining("disk");
  }
}
