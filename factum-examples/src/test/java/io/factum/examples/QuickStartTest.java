package io.factum.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class QuickStartTest {

  @org.junit.jupiter.api.io.TempDir
  Path dir;

  @Test
  void tourRunsAndPrintsWhatTheReadmePromises() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    QuickStart.run(dir, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(out).contains(
        "appended version 1 at position 1",
        "retry: alreadyAppended=true, still version 1",
        "conflict: expected 1, stream is at 3",
        "Order-abc123 v1 OrderPlaced",
        "Order-abc123 v3 OrderShipped",
        "newest: OrderShipped",
        "shipped orders: 1, head position 4",
        "live: #1 OrderPlaced",
        "live: #3 OrderShipped",
        "pipelined: Cart-7 at version 3",
        "after reopen: Order-abc123 is at version 3");
    assertThat(out).doesNotContain("CustomerRegistered");
  }

  @Test
  void readmeQuotesTheTourVerbatim() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent();
    List<String> source = between(Files.readAllLines(
        Path.of("src/main/java/io/factum/examples/QuickStart.java")), "// tour:start", "// tour:end");
    List<String> readme = between(Files.readAllLines(root.resolve("README.md")), "<!-- tour:start -->", "<!-- tour:end -->");

    String expected = source.stream().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    String quoted = readme.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("```"))
        .collect(Collectors.joining("\n"));
    assertThat(quoted).isEqualTo(expected);
  }

  private static List<String> between(List<String> lines, String start, String end) {
    int from = -1;
    int to = -1;
    for (int k = 0; k < lines.size(); k++) {
      if (lines.get(k).strip().equals(start)) {
        from = k + 1;
      } else if (lines.get(k).strip().equals(end)) {
        to = k;
      }
    }
    assertThat(from).as("marker %s", start).isPositive();
    assertThat(to).as("marker %s", end).isGreaterThan(from);
    return lines.subList(from, to);
  }
}
