package io.factum.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings are checked when they are made, before a store could half open with them. */
class EmbeddedOptionsTest {

  @Test
  void checkpointIntervalsTheSchedulerCannotRunAreRefused() {
    for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(500_000), Duration.ofSeconds(-1), Duration.ofDays(366),
        Duration.ofSeconds(Long.MAX_VALUE)}) {
      assertThatThrownBy(() -> EmbeddedOptions.DEFAULT.withCheckpointInterval(bad))
          .as(bad.toString()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 1 ms and 365 days");
    }
    assertThat(EmbeddedOptions.DEFAULT.withCheckpointInterval(Duration.ofMillis(1)).checkpointInterval()).isEqualTo(Duration.ofMillis(1));
    assertThat(EmbeddedOptions.DEFAULT.withCheckpointInterval(Duration.ofDays(365)).checkpointInterval()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void segmentSizesOutsideTheFormatAreRefused() {
    assertThatThrownBy(() -> EmbeddedOptions.DEFAULT.withSegmentSizeBits(15)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EmbeddedOptions.DEFAULT.withSegmentSizeBits(31)).isInstanceOf(IllegalArgumentException.class);
  }
}
