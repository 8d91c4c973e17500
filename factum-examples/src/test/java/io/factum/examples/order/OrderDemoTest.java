package io.factum.examples.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrderDemoTest {

  @TempDir
  Path dir;

  @Test
  void theDemoRunsTheWholeDomainAndPrintsTheReadModel() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OrderDemo.run(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out).contains(
        "rejected: cannot ship an order that is placed",
        "busy order: version 61, 61 lines, loaded from the snapshot at version 50 plus 11 events",
        "legacy order (stored as OrderCreated v1): customer cust-0, total 1999 EUR, status PLACED",
        "projection order-summaries: RUNNING at position 69, lag 0");
    assertThat(out).containsPattern("o-1\\s+cust-1\\s+shipped\\s+3750 EUR\\s+2 lines\\s+4 events");
    assertThat(out).containsPattern("busy\\s+cust-4\\s+placed\\s+6100 EUR\\s+61 lines\\s+61 events");

    assertThatThrownBy(() -> OrderDemo.run(dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
        .as("a second run on the same store").isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs an empty store").hasMessageContaining("69 events");
  }
}
