package io.factum.core.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeyedLocksTest {

  private final KeyedLocks locks = new KeyedLocks();

  @Test
  void holdersOfOneKeyNeverOverlapAndTheLockIsDroppedAfterwards() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    int[] unguarded = new int[1];
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int k = 0; k < 2_000; k++) {
          try (KeyedLocks.Held held = locks.lock("Order-1")) {
            mostAtOnce.accumulateAndGet(inside.incrementAndGet(), Math::max);
            unguarded[0]++;
            inside.decrementAndGet();
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread t : threads) {
      t.join(60_000);
    }

    assertThat(mostAtOnce.get()).isEqualTo(1);
    assertThat(unguarded[0]).isEqualTo(8 * 2_000);
    assertThat(locks.size()).as("locks left behind").isZero();
  }

  @Test
  void anotherKeyIsNotBlockedByAHeldOne() throws Exception {
    CountDownLatch otherKeyTaken = new CountDownLatch(1);
    try (KeyedLocks.Held held = locks.lock("Order-1")) {
      Thread other = new Thread(() -> {
        try (KeyedLocks.Held h = locks.lock("Order-2")) {
          otherKeyTaken.countDown();
        }
      });
      other.start();
      assertThat(otherKeyTaken.await(30, TimeUnit.SECONDS)).isTrue();
      other.join(30_000);
      assertThat(locks.size()).as("only the held key").isEqualTo(1);
    }
    assertThat(locks.size()).isZero();
  }
}
