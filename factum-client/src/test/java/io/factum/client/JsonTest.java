package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void readsEveryInstantTheServerWritesExactlyAsTheStandardParserDoes() {
    SplittableRandom random = new SplittableRandom(42);
    for (int k = 0; k < 100_000; k++) {
      long seconds = random.nextLong(-62_135_596_800L, 253_402_300_799L); // years 1 to 9999
      int nanos = switch (k % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      String written = Instant.ofEpochSecond(seconds, nanos).toString();
      assertThat(Json.instant(written)).as(written).isEqualTo(Instant.parse(written));
    }
  }

  @Test
  void leavesOtherShapesToTheStandardParser() {
    for (String s : new String[] {"+10000-01-01T00:00:00Z", "2026-11-26T23:39:10.5Z", "2026-11-26T23:39:10.123456789Z",
        "2026-11-26T24:00:00Z", "2026-11-26T23:39:10.Z"}) {
      assertThat(Json.instant(s)).isEqualTo(Instant.parse(s));
    }
    for (String bad : new String[] {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-11-26T23:39:1xZ", "2026-11-26 23:39:10Z", "yesterday"}) {
      assertThatThrownBy(() -> Json.instant(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
    }
  }
}
