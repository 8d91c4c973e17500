package io.factum.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class UuidV7Test {

  @Test
  void idsCarryVersionSevenTheRfcVariantAndTheCurrentTime() {
    long before = System.currentTimeMillis();
    UUID id = UuidV7.next();
    long after = System.currentTimeMillis();
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(UuidV7.millisOf(id)).isBetween(before, after + 1);
  }

  @Test
  void oneGeneratorIsStrictlyIncreasingEvenWithinAMillisecond() {
    UuidV7 generator = new UuidV7();
    UUID previous = generator.generate();
    for (int k = 0; k < 200_000; k++) {
      UUID next = generator.generate();
      // UUID.compareTo compares signed longs; v7 ids start with a positive timestamp, so it orders them correctly.
      assertThat(next.compareTo(previous)).as("id #%d", k).isPositive();
      previous = next;
    }
  }

  @Test
  void idsFromManyThreadsAreUnique() throws Exception {
    Set<UUID> ids = ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int k = 0; k < 50_000; k++) {
          ids.add(UuidV7.next());
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(ids).hasSize(200_000);
  }

  @Test
  void separateGeneratorsDoNotCollide() {
    Set<UUID> ids = new HashSet<>();
    for (int g = 0; g < 100; g++) {
      UuidV7 generator = new UuidV7();
      for (int k = 0; k < 100; k++) {
        assertThat(ids.add(generator.generate())).isTrue();
      }
    }
  }
}
