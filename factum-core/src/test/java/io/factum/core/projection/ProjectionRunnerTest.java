package io.factum.core.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.core.InMemoryEventStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** What the runner does when a projection stops or restarts itself from inside its own batch. */
class ProjectionRunnerTest {

  /** Well below the minute a stop waits for a batch from another thread. */
  private static final Duration PROMPTLY = Duration.ofSeconds(20);

  /** A projection that keeps its position in memory and hands each batch to {@code onBatch}. */
  private static Projection projection(String name, BiConsumer<List<RecordedEvent>, Long> onBatch) {
    AtomicLong position = new AtomicLong();
    return new Projection() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long position() {
        return position.get();
      }

      @Override
      public void apply(List<RecordedEvent> events, long through) {
        onBatch.accept(events, through);
        position.set(through);
      }

      @Override
      public void reset() {
        position.set(0);
      }
    };
  }

  @Test
  void aProjectionStoppingItselfFromItsOwnBatchIsNotKeptWaiting() {
    try (InMemoryEventStore store = InMemoryEventStore.create(); ProjectionRunner runner = new ProjectionRunner(store)) {
      store.append("Order-1", ExpectedVersion.ANY, List.of(EventData.json("Placed", "{}")));
      AtomicLong stopReturnedAt = new AtomicLong();
      runner.start(projection("self-stopping", (events, through) -> {
        runner.stop("self-stopping");
        stopReturnedAt.set(System.nanoTime());
      }));
      await().atMost(PROMPTLY).until(() -> stopReturnedAt.get() != 0);
      assertThat(runner.status("self-stopping").state()).isEqualTo(ProjectionStatus.State.STOPPED);
      await().atMost(PROMPTLY).until(() -> runner.status("self-stopping").position() == 1); // recorded once the batch returns
    }
  }

  @Test
  void aProjectionCannotRestartItselfFromItsOwnBatch() {
    try (InMemoryEventStore store = InMemoryEventStore.create(); ProjectionRunner runner = new ProjectionRunner(store)) {
      store.append("Order-1", ExpectedVersion.ANY, List.of(EventData.json("Placed", "{}")));
      AtomicReference<RuntimeException> refused = new AtomicReference<>();
      runner.start(projection("self-restarting", (events, through) -> {
        try {
          runner.restart("self-restarting");
        } catch (RuntimeException e) {
          refused.set(e);
        }
      }));
      await().atMost(PROMPTLY).until(() -> refused.get() != null);
      assertThat(refused.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("by this very call");
      assertThat(runner.status("self-restarting").state()).isEqualTo(ProjectionStatus.State.STOPPED);

      store.append("Order-1", ExpectedVersion.ANY, List.of(EventData.json("Paid", "{}")));
      runner.restart("self-restarting"); // from outside it works, and resumes after the committed batch
      await().atMost(PROMPTLY).until(() -> runner.status("self-restarting").position() == 2);
    }
  }
}
