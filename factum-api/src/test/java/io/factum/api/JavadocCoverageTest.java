package io.factum.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every type declared in the API sources, top-level or nested, carries a Javadoc comment. */
class JavadocCoverageTest {

  private static final Pattern TYPE = Pattern.compile(
      "^\\s*(public\\s+|protected\\s+|private\\s+)?(static\\s+)?(final\\s+|abstract\\s+)?(class|interface|record|enum|@interface)\\s+\\w+.*");

  @Test
  void everyTypeHasJavadoc() throws IOException {
    List<String> missing = new ArrayList<>();
    int types = 0;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java")).toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int k = 0; k < lines.size(); k++) {
          if (!TYPE.matcher(lines.get(k)).matches()) {
            continue;
          }
          types++;
          int before = k - 1;
          while (before >= 0 && lines.get(before).strip().startsWith("@")) {
            before--;
          }
          if (before < 0 || !lines.get(before).strip().endsWith("*/")) {
            missing.add(file.getFileName() + ":" + (k + 1) + " " + lines.get(k).strip());
          }
        }
      }
    }
    assertThat(types).as("types found").isGreaterThan(15);
    assertThat(missing).as("types without Javadoc").isEmpty();
  }
}
