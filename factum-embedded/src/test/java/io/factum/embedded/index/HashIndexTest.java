package io.factum.embedded.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Growth of the persistent hash index outside {@code reserve}: ahead of need, one shard at a time. */
class HashIndexTest {

  @TempDir
  Path dir;

  @Test
  void growAheadGrowsTheFullestShardAndKeepsEveryEntry() throws Exception {
    HashIndex index = HashIndex.open(dir, 6, null);
    long[] keys = new long[20_000];
    SplittableRandom random = new SplittableRandom(42);
    for (int k = 0; k < keys.length; k++) {
      keys[k] = random.nextLong() | 1; // never the empty key 0
    }
    index.reserve(keys, keys.length);
    for (int k = 0; k < keys.length; k++) {
      index.put(keys[k], k + 1, existing -> false);
    }
    HashIndex.ShardState[] before = index.snapshot(() -> {});

    assertThat(index.growAhead(1.01)).as("no shard is past its load limit").isFalse();
    assertThat(index.growAhead(0.0)).isTrue();

    HashIndex.ShardState[] after = index.snapshot(() -> {});
    int grown = 0;
    for (int s = 0; s < before.length; s++) {
      if (after[s].capacityBits() != before[s].capacityBits()) {
        grown++;
        assertThat(after[s].capacityBits()).isGreaterThan(before[s].capacityBits());
        assertThat(after[s].count()).isEqualTo(before[s].count());
      }
    }
    assertThat(grown).as("shards grown").isEqualTo(1);
    for (int k = 0; k < keys.length; k++) {
      long expected = k + 1;
      assertThat(index.get(keys[k], v -> v == expected)).isEqualTo(expected);
    }
  }

  @Test
  @Timeout(60)
  void aShardFilledPastItsReservationFailsLoudlyInsteadOfProbingForever() throws Exception {
    HashIndex index = HashIndex.open(dir, 1, null); // two shards of 512 slots; keys below 2^63 all go to shard 0
    SplittableRandom random = new SplittableRandom(7);
    for (int k = 0; k < 512; k++) {
      index.put((random.nextLong() >>> 1) | 1, k + 1, existing -> false); // never reserved, so never grown
    }
    assertThatThrownBy(() -> index.put((random.nextLong() >>> 1) | 1, 513, existing -> false))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
    assertThat(index.get((random.nextLong() >>> 1) | 1, v -> true)).isEqualTo(-1);
  }
}
