package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start, for real: {@code factum serve} in a child JVM on embedded storage, the
 * README's curl transcript run command by command with the real {@code curl} against it, every
 * answer compared with the README ({@code …} matches anything), then SIGTERM and a clean stop.
 */
@Timeout(180)
class ReadmeTranscriptTest {

  /** One {@code $ command} of the transcript and the output the README shows for it. */
  record Step(String command, String expected) {}

  static List<Step> transcript() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String block = readme.substring(readme.indexOf("<!-- curl:start -->"), readme.indexOf("<!-- curl:end -->"));
    block = block.substring(block.indexOf("```console\n") + "```console\n".length(), block.lastIndexOf("```"));
    List<Step> steps = new ArrayList<>();
    String[] lines = block.split("\n", -1);
    int i = 0;
    while (i < lines.length) {
      if (!lines[i].startsWith("$ ")) {
        i++;
        continue;
      }
      StringBuilder command = new StringBuilder(lines[i].substring(2));
      i++;
      while (i < lines.length && (command.toString().endsWith("\\") || countQuotes(command) % 2 == 1)) {
        command.append('\n').append(lines[i]);
        i++;
      }
      StringBuilder expected = new StringBuilder();
      while (i < lines.length && !lines[i].startsWith("$ ")) {
        expected.append(lines[i]).append('\n');
        i++;
      }
      steps.add(new Step(command.toString(), expected.toString().strip()));
    }
    return steps;
  }

  private static long countQuotes(CharSequence s) {
    return s.chars().filter(c -> c == '\'').count();
  }

  /** Whether {@code actual} matches {@code expected}, where {@code …} stands for any text. */
  static boolean matches(String expected, String actual) {
    StringBuilder regex = new StringBuilder("(?s)");
    for (String part : expected.split("…", -1)) {
      if (regex.length() > 4) {
        regex.append(".*?");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString()).matcher(actual.strip()).matches();
  }

  @Test
  void theTranscriptHasTheExamplesTheReadmePromises() throws IOException {
    List<Step> steps = transcript();
    assertThat(steps).hasSizeGreaterThanOrEqualTo(8);
    assertThat(steps).anyMatch(s -> s.command().contains("-X POST"));
    assertThat(steps).anyMatch(s -> s.command().contains("/streams/Order-1?"));
    assertThat(steps).anyMatch(s -> s.command().contains("/subscribe/all"));
    assertThat(matches("{\"a\":…,\"b\":2}", "{\"a\":\"x\",\"b\":2}")).isTrue();
    assertThat(matches("{\"a\":…,\"b\":2}", "{\"a\":\"x\",\"b\":3}")).isFalse();
  }

  @Test
  void theQuickStartServerAnswersEveryCurlOfTheReadmeAndStopsCleanly(@TempDir Path dir) throws Exception {
    Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.factum.cli.Factum", "serve", "--port", "0", "--data", dir.resolve("data").toString())
        .redirectError(dir.resolve("server.err").toFile())
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String base = null;
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        Matcher m = Pattern.compile("Factum is serving .* at (http://[^ ]+/)").matcher(line);
        if (m.find()) {
          base = m.group(1);
          break;
        }
      }
      assertThat(base).as("the serve banner; stderr: " + Files.readString(dir.resolve("server.err"))).isNotNull();
      String hostPort = base.substring("http://".length(), base.length() - 1);

      for (Step step : transcript()) {
        String command = step.command().replace("localhost:2113", hostPort);
        Process curl = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String actual = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int exit = curl.exitValue();
        assertThat(exit).as(command).isIn(0, 28); // 28: --max-time ended a subscription, as intended
        assertThat(matches(step.expected(), actual)).as("README step:\n$ " + step.command() + "\nexpected:\n" + step.expected()
            + "\nactual:\n" + actual).isTrue();
      }
    } finally {
      server.destroy(); // SIGTERM: the graceful shutdown path
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(dir.resolve("server.err"))).contains("factum: stopped");
    assertThat(server.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
  }
}
