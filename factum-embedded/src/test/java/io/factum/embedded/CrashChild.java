package io.factum.embedded;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StoreLimits;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The process {@link CrashRecoveryTest} kills: appends from several threads until it is killed, and
 * prints one line per acknowledged append (only after {@code append} returned).
 *
 * <pre>ACK \t stream \t firstVersion \t firstPosition \t id;data | id;data … \t END</pre>
 *
 * One append in eight carries 256–455 small events, so the writer pipelines its group. It also
 * retries some of its own acknowledged appends and prints {@code BAD} if a retry is not recognised as
 * such.
 */
public final class CrashChild {

  static final EmbeddedOptions OPTIONS = EmbeddedOptions.DEFAULT
      .withSegmentSizeBits(20) // 1 MiB segments: crashes land around segment rolls too
      .withCheckpointInterval(Duration.ofMillis(150)) // and in the middle of index checkpoints
      .withLimits(new StoreLimits(16_384, 65_536));

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int threads = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    EmbeddedEventStore store = EmbeddedEventStore.open(dir, OPTIONS);
    out.println("OPEN\t" + store.headPosition() + "\tEND");
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> work(store, new Random(seed * 31 + thread), thread, out));
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
  }

  private static void work(EmbeddedEventStore store, Random random, int thread, PrintStream out) {
    List<List<EventData>> mine = new ArrayList<>();
    List<AppendResult> results = new ArrayList<>();
    for (int c = 0; ; c++) {
      if (!mine.isEmpty() && random.nextInt(20) == 0) {
        int pick = random.nextInt(mine.size());
        AppendResult again = store.append(results.get(pick).streamId(), ExpectedVersion.ANY, mine.get(pick));
        if (!again.equals(results.get(pick).asRetry())) {
          out.println("BAD\tretry of " + results.get(pick) + " returned " + again + "\tEND");
        }
        continue;
      }
      String stream = "Crash" + random.nextInt(4) + "-" + random.nextInt(12);
      // now and then an append large enough for the writer to pipeline its group (sync overlapping the next group)
      boolean large = random.nextInt(8) == 0;
      int count = large ? 256 + random.nextInt(200) : 1 + random.nextInt(5);
      List<EventData> batch = new ArrayList<>();
      for (int k = 0; k < count; k++) {
        String data = "{\"t\":" + thread + ",\"c\":" + c + ",\"k\":" + k + ",\"r\":\"" + (large ? "" : text(random)) + "\"}";
        batch.add(EventData.json("Crashed" + random.nextInt(3), data).withId(new UUID(random.nextLong(), random.nextLong())));
      }
      AppendResult r = store.append(stream, ExpectedVersion.ANY, batch);
      StringBuilder line = new StringBuilder("ACK\t").append(stream).append('\t').append(r.firstVersion()).append('\t')
          .append(r.firstPosition()).append('\t');
      for (int k = 0; k < count; k++) {
        line.append(k == 0 ? "" : "|").append(batch.get(k).eventId()).append(';').append(batch.get(k).dataAsString());
      }
      out.println(line.append("\tEND"));
      if (mine.size() < 200) {
        mine.add(batch);
        results.add(r);
      }
    }
  }

  private static String text(Random random) {
    char[] chars = new char[random.nextInt(400)];
    for (int k = 0; k < chars.length; k++) {
      chars[k] = (char) ('a' + random.nextInt(26));
    }
    return new String(chars);
  }
}
