package io.factum.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 at random instants, many times over the same store: every acknowledged event must be there
 * afterwards, exactly as acknowledged (id, stream, version, position, payload bytes), nothing torn or
 * partial visible, versions and positions dense, and retries still recognised.
 */
class CrashRecoveryTest {

  private static final int KILLS = 25;

  /** One acknowledged append, as the child reported it. */
  record Ack(String stream, long firstVersion, long firstPosition, List<UUID> ids, List<String> data) {}

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void everyAcknowledgedEventSurvivesRepeatedKillNine() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Path store = dir.resolve("store");
    List<Ack> acked = new ArrayList<>();
    int kills = 0;
    int roundsWithProgress = 0;
    for (int round = 0; round < KILLS; round++) {
      Process child = new ProcessBuilder(javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          CrashChild.class.getName(), store.toString(), Long.toString(seed + round), "4")
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      List<String> lines = new ArrayList<>();
      Thread reader = new Thread(() -> readLines(child, lines));
      reader.start();
      Thread.sleep(200 + random.nextInt(1300)); // sometimes during start-up and recovery, mostly mid-append
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
      reader.join();
      kills++;
      int before = acked.size();
      synchronized (lines) {
        for (String line : lines) {
          assertThat(line).as("seed %d: the child saw a retry not recognised", seed).doesNotStartWith("BAD");
          if (line.startsWith("ACK\t")) {
            acked.add(parse(line));
          }
        }
      }
      if (acked.size() > before) {
        roundsWithProgress++;
      }
      verify(store, acked, random, seed, round);
    }
    assertThat(kills).isGreaterThanOrEqualTo(20);
    assertThat(roundsWithProgress).as("rounds in which the child acknowledged appends before being killed").isGreaterThan(KILLS / 2);
    assertThat(acked).hasSizeGreaterThan(100);
  }

  private static void verify(Path store, List<Ack> acked, Random random, long seed, int round) {
    try (EmbeddedEventStore s = EmbeddedEventStore.open(store, CrashChild.OPTIONS)) {
      String context = "seed " + seed + ", after kill #" + (round + 1);
      long head = s.headPosition();
      for (Ack ack : acked) {
        List<RecordedEvent> events = s.readStream(ack.stream(), ack.firstVersion(), ack.ids().size());
        assertThat(events).as("%s: acknowledged append %s", context, ack).hasSize(ack.ids().size());
        for (int k = 0; k < events.size(); k++) {
          RecordedEvent e = events.get(k);
          assertThat(e.eventId()).as(context).isEqualTo(ack.ids().get(k));
          assertThat(e.streamId()).as(context).isEqualTo(ack.stream());
          assertThat(e.version()).as(context).isEqualTo(ack.firstVersion() + k);
          assertThat(e.globalPosition()).as(context).isEqualTo(ack.firstPosition() + k);
          assertThat(e.dataAsString()).as(context).isEqualTo(ack.data().get(k));
        }
      }
      // Nothing torn or partial: positions dense to the head, every stream dense from version 1.
      Map<String, Long> versions = new HashMap<>();
      long expected = 1;
      for (long after = 0; after < head; ) {
        List<RecordedEvent> page = s.readAll(after, 5000);
        assertThat(page).as(context).isNotEmpty();
        for (RecordedEvent e : page) {
          assertThat(e.globalPosition()).as(context).isEqualTo(expected++);
          assertThat(e.version()).as(context).isEqualTo(versions.merge(e.streamId(), 1L, Long::sum));
        }
        after = page.get(page.size() - 1).globalPosition();
      }
      assertThat(s.readAll(head, 10)).as(context).isEmpty();
      versions.forEach((stream, v) -> assertThat(s.streamVersion(stream)).as(context).hasValue(v));
      if (!acked.isEmpty()) { // idempotency survived the crash
        Ack ack = acked.get(random.nextInt(acked.size()));
        List<EventData> batch = new ArrayList<>();
        for (int k = 0; k < ack.ids().size(); k++) {
          batch.add(EventData.json("Crashed0", ack.data().get(k)).withId(ack.ids().get(k)));
        }
        AppendResult retry = s.append(ack.stream(), ExpectedVersion.ANY, batch);
        assertThat(retry.alreadyAppended()).as(context).isTrue();
        assertThat(retry.firstPosition()).as(context).isEqualTo(ack.firstPosition());
        assertThat(s.headPosition()).as(context).isEqualTo(head);
      }
    }
  }

  private static Ack parse(String line) {
    String[] f = line.split("\t");
    List<UUID> ids = new ArrayList<>();
    List<String> data = new ArrayList<>();
    for (String event : f[4].split("\\|")) {
      int semi = event.indexOf(';');
      ids.add(UUID.fromString(event.substring(0, semi)));
      data.add(event.substring(semi + 1));
    }
    return new Ack(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), ids, data);
  }

  /** Keeps only complete lines: a line cut by the kill lacks its END marker. */
  private static void readLines(Process child, List<String> lines) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.endsWith("\tEND")) {
          synchronized (lines) {
            lines.add(line);
          }
        }
      }
    } catch (java.io.IOException e) {
      // the pipe breaks when the child dies
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
