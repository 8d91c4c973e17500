package io.factum.core.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SnapshotPolicyTest {

  @Test
  void aTypeNoSnapshotCouldCarryIsRefusedUpFrontNotOnEverySave() {
    for (String bad : new String[] {null, "", "x".repeat(256)}) {
      assertThatThrownBy(() -> SnapshotPolicy.everyEvents(bad, 1, 5)).as("type %s", bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Snapshot policy");
    }
    assertThat(SnapshotPolicy.whenReplayedMoreThan("Order", 2, 100).enabled()).isTrue();
  }
}
