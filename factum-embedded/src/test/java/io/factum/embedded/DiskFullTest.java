package io.factum.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the store runs in a child JVM inside its own mount namespace ({@code unshare
 * -rm}), on a 24 MiB tmpfs mounted for it alone. Appends must fail cleanly with a message that says
 * the disk is full, acknowledged events stay readable, and appends work again once space returns.
 */
class DiskFullTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aFullDiskFailsAppendsCleanlyAndTheStoreRecoversWhenSpaceReturns() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String script = "mount -t tmpfs -o size=24m factum-full " + dir + " && exec " + java + " -Xmx128m -cp '"
        + System.getProperty("java.class.path") + "' " + DiskFullChild.class.getName() + " " + dir;
    Process child = new ProcessBuilder("unshare", "-rm", "sh", "-c", script).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();

    assertThat(output).as("child output:%n%s", output).contains("OK\t").contains("ROLL\t").doesNotContain("FAIL");
    assertThat(child.exitValue()).as(output).isZero();
    String[] ok = output.lines().filter(l -> l.startsWith("OK\t")).findFirst().orElseThrow().split("\t");
    assertThat(Long.parseLong(ok[1])).as("events acknowledged before the disk filled").isGreaterThan(10);
    System.out.println("disk-full scenario: " + String.join(" | ", ok));
  }
}
