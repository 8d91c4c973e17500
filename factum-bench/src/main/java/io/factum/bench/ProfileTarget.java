package io.factum.bench;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.embedded.EmbeddedEventStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * A steady append load for profilers (JFR, perf): {@code java -XX:StartFlightRecording=... -cp
 * factum-bench.jar io.factum.bench.ProfileTarget DIR SECONDS EVENTS_PER_APPEND THREADS [CHECKPOINT_SECONDS]}.
 */
public final class ProfileTarget {

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    double seconds = Double.parseDouble(args[1]);
    int size = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    EmbeddedSuite.delete(dir);
    io.factum.embedded.EmbeddedOptions options = io.factum.embedded.EmbeddedOptions.DEFAULT;
    if (args.length > 4) {
      options = options.withCheckpointInterval(java.time.Duration.ofSeconds(Long.parseLong(args[4])));
    }
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir, options)) {
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      List<Thread> workers = new ArrayList<>();
      long[] counts = new long[threads];
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread w = new Thread(() -> {
          SplittableRandom random = new SplittableRandom(thread);
          List<EventData> batch = new ArrayList<>();
          for (int k = 0; System.nanoTime() < deadline; k++) {
            batch.clear();
            for (int e = 0; e < size; e++) {
              batch.add(EventData.json("BenchEvent", EmbeddedSuite.PAYLOAD).withId(new UUID(random.nextLong(), random.nextLong())));
            }
            counts[thread] += store.append("P" + thread + "-" + (k % 100), ExpectedVersion.ANY, batch).eventCount();
          }
        });
        workers.add(w);
        w.start();
      }
      for (Thread w : workers) {
        w.join();
      }
      long total = 0;
      for (long c : counts) {
        total += c;
      }
      System.out.printf("%,d events in %.1f s: %,.0f events/s%n", total, seconds, total / seconds);
    }
    EmbeddedSuite.delete(dir);
  }
}
