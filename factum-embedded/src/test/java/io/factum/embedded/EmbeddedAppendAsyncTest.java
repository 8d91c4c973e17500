package io.factum.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Callbacks of {@code appendAsync} futures that run on the store's own threads. */
class EmbeddedAppendAsyncTest {

  @TempDir
  Path dir;

  private static List<EventData> one(int n) {
    return List.of(EventData.json("Tested", "{\"n\":" + n + "}"));
  }

  @Test
  void aBlockingAppendInACallbackIsRefusedOnTheStoresThreadAndWrittenOnlyElsewhere() throws Exception {
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      List<CompletableFuture<String>> outcomes = new ArrayList<>();
      for (int k = 0; k < 50; k++) {
        String other = "Other-" + k;
        int n = k;
        outcomes.add(store.appendAsync("Pipe-1", ExpectedVersion.ANY, one(k)).handle((r, e) -> {
          boolean onStoreThread = Thread.currentThread().getName().startsWith("factum-");
          try {
            store.append(other, ExpectedVersion.ANY, one(n));
            return (onStoreThread ? "written on a store thread: " : "written: ") + other;
          } catch (IllegalStateException refused) {
            return (onStoreThread ? "refused: " : "refused off the store's threads: ") + other;
          }
        }));
      }

      int refused = 0;
      for (CompletableFuture<String> f : outcomes) {
        String outcome = f.get(60, TimeUnit.SECONDS);
        assertThat(outcome).matches("(written|refused): Other-\\d+");
        String other = outcome.substring(outcome.indexOf(' ') + 1);
        if (outcome.startsWith("refused")) {
          refused++;
          assertThat(store.streamVersion(other)).as("a refused append writes nothing").isEmpty();
        } else {
          assertThat(store.streamVersion(other)).hasValue(1);
        }
      }
      System.out.println(refused + " of 50 callbacks ran on the store's threads (their appends refused)");
    }
  }

  @Test
  void closeCalledInACallbackReturnsAndTheStoreFinishesClosing() throws Exception {
    EmbeddedEventStore store = EmbeddedEventStore.open(dir);
    List<CompletableFuture<AppendResult>> inFlight = new ArrayList<>();
    for (int k = 0; k < 20; k++) {
      inFlight.add(store.appendAsync("Pipe-1", ExpectedVersion.exactly(k), one(k)));
    }
    CompletableFuture<Void> closed = inFlight.get(9).thenRun(store::close);

    closed.get(60, TimeUnit.SECONDS);
    // every append started before close is answered; the directory is released for a reopen
    for (CompletableFuture<AppendResult> f : inFlight) {
      assertThat(f).succeedsWithin(Duration.ofSeconds(60));
    }
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      try (EmbeddedEventStore again = EmbeddedEventStore.open(dir)) {
        assertThat(again.streamVersion("Pipe-1")).hasValue(20);
      }
    });
  }
}
