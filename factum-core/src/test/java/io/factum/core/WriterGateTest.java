package io.factum.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriterGateTest {

  /** try-with-resources plus an explicit close, or two threads closing: each returns with the store closed. */
  @Test
  void aSecondCloseReturnsOnlyOnceTheFirstHasShutTheStoreDown() throws Exception {
    WriterGate gate = new WriterGate();
    Object owner = new Object();
    CountDownLatch shuttingDown = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicInteger shutDowns = new AtomicInteger();
    Runnable shutDown = () -> {
      shutDowns.incrementAndGet();
      shuttingDown.countDown();
      Uninterruptibly.await(finish);
    };
    Thread first = new Thread(() -> gate.close(owner, "close-test", shutDown));
    first.start();
    assertThat(shuttingDown.await(10, TimeUnit.SECONDS)).isTrue();

    CountDownLatch secondReturned = new CountDownLatch(1);
    Thread second = new Thread(() -> {
      Thread.currentThread().interrupt(); // an interrupt does not cut the wait short; it is kept
      gate.close(owner, "close-test", shutDown);
      if (Thread.currentThread().isInterrupted()) {
        secondReturned.countDown();
      }
    });
    second.start();
    assertThat(secondReturned.await(300, TimeUnit.MILLISECONDS)).as("returned while the first still shut down").isFalse();
    assertThat(gate.pass(() -> { })).as("the gate is shut").isFalse();

    finish.countDown();
    assertThat(secondReturned.await(10, TimeUnit.SECONDS)).isTrue();
    first.join(10_000);
    assertThat(shutDowns).hasValue(1);
  }
}
