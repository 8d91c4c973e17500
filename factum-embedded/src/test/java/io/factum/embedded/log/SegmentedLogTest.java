package io.factum.embedded.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edges of the segmented log that the engine's tests reach only by chance. */
class SegmentedLogTest {

  @TempDir
  Path dir;

  @Test
  void segmentNamesRoundTripBeyondSixDigits() {
    for (int index : new int[] {0, 1, 999_999, 1_000_000, 123_456_789}) {
      assertThat(SegmentedLog.indexOf(SegmentedLog.segmentName(index))).as("segment %d", index).isEqualTo(index);
    }
    assertThat(SegmentedLog.segmentName(1_000_000)).isEqualTo("segment-1000000.log");
    assertThat(SegmentedLog.indexOf("segment-1.log")).isEqualTo(-1);
    assertThat(SegmentedLog.indexOf("segment-000001.log.tmp")).isEqualTo(-1);
  }

  /**
   * A group that fills its segment exactly leaves the zeroing ahead of the writer at the start of a
   * segment that does not exist yet (seen in CI: the append failed, and a retry of the same group
   * would have failed the same way).
   */
  @Test
  void zeroingAheadFromTheEndOfTheLastSegmentDoesNothing() throws Exception {
    try (SegmentedLog log = SegmentedLog.open(dir, 16)) {
      log.ensureSegment(0);
      long end = log.segmentSize();
      log.write(0, ByteBuffer.allocate((int) end));
      assertThat(log.zeroAhead(end, 1 << 20)).isEqualTo(end);
      assertThat(log.segmentCount()).isEqualTo(1);

      log.ensureSegment(1); // once the writer rolls, zeros go ahead in the new segment
      assertThat(log.zeroAhead(end, 4096)).isEqualTo(end + 4096);
    }
  }
}
