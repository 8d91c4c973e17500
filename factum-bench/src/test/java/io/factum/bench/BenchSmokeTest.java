package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The bench runs end to end and writes well-formed results. It asserts shape, never speed. */
class BenchSmokeTest {

  @TempDir
  Path dir;

  @Test
  void quickEmbeddedRunWritesJsonAndMarkdownWithEveryMeasurement() throws Exception {
    int exit = new CommandLine(new Bench()).execute("embedded", "--quick", "--dir", dir.resolve("work").toString(),
        "--out", dir.resolve("out").toString());

    assertThat(exit).isZero();
    Path json;
    try (Stream<Path> files = Files.list(dir.resolve("out"))) {
      json = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.get("machine").get("cpus").asInt()).isPositive();
    assertThat(root.get("results")).hasSizeGreaterThan(10);
    for (JsonNode r : root.get("results")) {
      assertThat(r.get("median").asDouble()).as(r.toString()).isPositive();
      assertThat(r.get("samples")).isNotEmpty();
    }
    assertThat(root.get("ratios")).isNotEmpty();
    assertThat(Files.readString(Path.of(json.toString().replace(".json", ".md")))).contains("| embedded-append |");
  }

  @Test
  void quickToolkitRunMeasuresLoadsAndRebuilds() throws Exception {
    int exit = new CommandLine(new Bench()).execute("toolkit", "--quick", "--dir", dir.resolve("work").toString(),
        "--out", dir.resolve("out").toString());

    assertThat(exit).isZero();
    Path json;
    try (Stream<Path> files = Files.list(dir.resolve("out"))) {
      json = files.filter(p -> p.toString().endsWith("toolkit-quick.json")).findFirst().orElseThrow();
    }
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertThat(root.get("results")).hasSizeGreaterThanOrEqualTo(7);
    for (JsonNode r : root.get("results")) {
      assertThat(r.get("median").asDouble()).as(r.toString()).isPositive();
    }
  }

  @Test
  void quickServerRunMeasuresHttpAgainstInProcess() throws Exception {
    int exit = new CommandLine(new Bench()).execute("server", "--quick", "--dir", dir.resolve("work").toString(),
        "--out", dir.resolve("out").toString());

    assertThat(exit).isZero();
    Path json;
    try (Stream<Path> files = Files.list(dir.resolve("out"))) {
      json = files.filter(p -> p.toString().endsWith("server-quick.json")).findFirst().orElseThrow();
    }
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    java.util.List<String> names = new java.util.ArrayList<>();
    root.get("results").forEach(r -> names.add(r.get("name").asText()));
    assertThat(names).contains("http-append-java-client", "http-append-wire", "in-process-append", "http-noop-wire", "http-read-all", "in-process-read-all",
        "sse-delivery-latency", "in-process-delivery-latency");
    for (JsonNode r : root.get("results")) {
      assertThat(r.get("median").asDouble()).as(r.toString()).isPositive();
    }
    assertThat(root.get("ratios")).hasSizeGreaterThanOrEqualTo(5);
  }
}
