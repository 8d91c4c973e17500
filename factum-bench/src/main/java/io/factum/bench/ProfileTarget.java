package io.factum.bench;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.embedded.EmbeddedEventStore;
import io.factum.embedded.EmbeddedOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A steady append load for profilers (JFR, perf), printing its throughput every two seconds:
 * {@code java -XX:StartFlightRecording=... -cp factum-bench.jar io.factum.bench.ProfileTarget DIR
 * SECONDS EVENTS_PER_APPEND THREADS [IN_FLIGHT_PER_THREAD [CHECKPOINT_SECONDS]]}. With more than one
 * append in flight per thread, threads use {@code appendAsync}.
 */
public final class ProfileTarget {

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: ProfileTarget DIR SECONDS EVENTS_PER_APPEND THREADS [IN_FLIGHT_PER_THREAD [CHECKPOINT_SECONDS]]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    double seconds = Double.parseDouble(args[1]);
    int size = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    int inFlight = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    EmbeddedOptions options = EmbeddedOptions.DEFAULT;
    if (args.length > 5) {
      options = options.withCheckpointInterval(Duration.ofSeconds(Long.parseLong(args[5])));
    }
    EmbeddedSuite.delete(dir);
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir, options)) {
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      List<Thread> workers = new ArrayList<>();
      AtomicLongArray counts = new AtomicLongArray(threads);
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread w = new Thread(() -> {
          SplittableRandom random = new SplittableRandom(thread);
          ArrayDeque<CompletableFuture<AppendResult>> pending = new ArrayDeque<>();
          for (int k = 0; System.nanoTime() < deadline; k++) {
            List<EventData> batch = new ArrayList<>(size);
            for (int e = 0; e < size; e++) {
              batch.add(EventData.json("BenchEvent", EmbeddedSuite.PAYLOAD).withId(new UUID(random.nextLong(), random.nextLong())));
            }
            String stream = "P" + thread + "-" + (k % 100);
            if (inFlight <= 1) {
              counts.addAndGet(thread, store.append(stream, ExpectedVersion.ANY, batch).eventCount());
            } else {
              if (pending.size() == inFlight) {
                counts.addAndGet(thread, pending.poll().join().eventCount());
              }
              pending.add(store.appendAsync(stream, ExpectedVersion.ANY, batch));
            }
          }
          while (!pending.isEmpty()) {
            counts.addAndGet(thread, pending.poll().join().eventCount());
          }
        });
        workers.add(w);
        w.start();
      }
      Thread progress = new Thread(() -> reportEveryTwoSeconds(counts));
      progress.setDaemon(true);
      progress.start();
      for (Thread w : workers) {
        w.join();
      }
      progress.interrupt();
      long total = total(counts);
      System.out.printf("%,d events in %.1f s: %,.0f events/s%n", total, seconds, total / seconds);
    }
    EmbeddedSuite.delete(dir);
  }

  private static void reportEveryTwoSeconds(AtomicLongArray counts) {
    long last = 0;
    long lastAt = System.nanoTime();
    while (true) {
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        return;
      }
      long now = total(counts);
      long at = System.nanoTime();
      System.out.printf("  %,d events, %,.0f events/s over the last %.1f s%n", now, (now - last) / ((at - lastAt) / 1e9), (at - lastAt) / 1e9);
      last = now;
      lastAt = at;
    }
  }

  private static long total(AtomicLongArray counts) {
    long total = 0;
    for (int k = 0; k < counts.length(); k++) {
      total += counts.get(k);
    }
    return total;
  }
}
