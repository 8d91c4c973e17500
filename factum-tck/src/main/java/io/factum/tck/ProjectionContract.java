package io.factum.tck;

import static io.factum.tck.Fixtures.event;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.core.projection.CheckpointedProjection;
import io.factum.core.projection.Projection;
import io.factum.core.projection.ProjectionRunner;
import io.factum.core.projection.ProjectionStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Projections: batched catch-up, status, a failing event faults (never skipped), restart, reset and rebuild. */
public interface ProjectionContract extends StoreUnderTest {

  Duration PATIENCE = Duration.ofMinutes(1);

  /** Counts events per stream, in a map; its position lives in the store's checkpoint store. */
  private CheckpointedProjection counter(String name, Map<String, Integer> counts, EventFilter filter) {
    return new CheckpointedProjection(name, filter, e -> counts.merge(e.streamId(), 1, Integer::sum), store().checkpoints(), counts::clear);
  }

  @Test
  @Timeout(120)
  default void aProjectionCatchesUpInBatchesThenFollowsAndReportsItsStatus() {
    String a = stream("Order");
    for (int k = 0; k < 20; k++) {
      store().append(a, ExpectedVersion.ANY, events(100, k * 100));
    }
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    CheckpointedProjection inner = counter("order-counts", counts, EventFilter.categories("Order"));
    Projection measuring = new Projection() {
      public String name() {
        return inner.name();
      }

      public EventFilter filter() {
        return inner.filter();
      }

      public long position() {
        return inner.position();
      }

      public void apply(List<RecordedEvent> events, long position) throws Exception {
        batchSizes.add(events.size());
        inner.apply(events, position);
      }

      public void reset() {
        inner.reset();
      }
    };
    try (ProjectionRunner runner = new ProjectionRunner(store())) {
      runner.start(measuring);
      await().atMost(PATIENCE).until(() -> runner.status("order-counts").position() == 2000);
      assertThat(counts).containsEntry(a, 2000);
      assertThat(batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0)).as("catch-up applies batches").isGreaterThan(1);

      store().append(stream("Customer"), ExpectedVersion.ANY, events(5));
      store().append(a, ExpectedVersion.ANY, events(3));
      await().atMost(PATIENCE).until(() -> runner.status("order-counts").position() == 2008);
      ProjectionStatus status = runner.status("order-counts");
      assertThat(status.state()).isEqualTo(ProjectionStatus.State.RUNNING);
      assertThat(status.lag()).isZero();
      assertThat(counts).containsEntry(a, 2003).hasSize(1);
    }
    assertThat(store().checkpoints().load("projection:order-counts")).hasValue(2008);
  }

  @Test
  @Timeout(120)
  default void aFailingEventFaultsTheProjectionWithTheEventVisibleAndIsNeverSkipped() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(10));
    store().append(s, ExpectedVersion.ANY, event("Poison", 11));
    store().append(s, ExpectedVersion.ANY, events(5, 12));
    AtomicBoolean cured = new AtomicBoolean();
    Map<String, Integer> applied = new ConcurrentHashMap<>();
    CheckpointedProjection fragile = new CheckpointedProjection("fragile", EventFilter.ALL, e -> {
      if (e.eventType().equals("Poison") && !cured.get()) {
        throw new IllegalStateException("cannot handle poison");
      }
      applied.merge("n", 1, Integer::sum);
    }, store().checkpoints(), applied::clear);

    try (ProjectionRunner runner = new ProjectionRunner(store())) {
      runner.start(fragile);
      await().atMost(PATIENCE).until(() -> runner.status("fragile").state() == ProjectionStatus.State.FAULTED);
      ProjectionStatus faulted = runner.status("fragile");
      assertThat(faulted.position()).as("everything before the poison is applied").isEqualTo(10);
      assertThat(faulted.failedEvent().position()).isEqualTo(11);
      assertThat(faulted.failedEvent().eventType()).isEqualTo("Poison");
      assertThat(faulted.lastError()).contains("cannot handle poison");
      assertThat(faulted.lag()).isEqualTo(6);
      assertThat(applied.get("n")).isEqualTo(10);

      cured.set(true);
      runner.restart("fragile");
      await().atMost(PATIENCE).until(() -> runner.status("fragile").position() == 16);
      assertThat(runner.status("fragile").state()).isEqualTo(ProjectionStatus.State.RUNNING);
      assertThat(applied.get("n")).as("each event applied once, the poison included").isEqualTo(16);
    }
  }

  @Test
  @Timeout(120)
  default void resetRebuildsTheReadModelFromTheFirstEvent() throws Exception {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(30));
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    try (ProjectionRunner runner = new ProjectionRunner(store())) {
      runner.start(counter("rebuildable", counts, EventFilter.ALL));
      await().atMost(PATIENCE).until(() -> runner.status("rebuildable").position() == 30);
      counts.put(s, 999); // the read model got damaged

      runner.reset("rebuildable");

      await().atMost(PATIENCE).until(() -> runner.status("rebuildable").position() == 30 && counts.getOrDefault(s, 0) == 30);
      assertThat(runner.statuses()).extracting(ProjectionStatus::name).containsExactly("rebuildable");
    }
  }

  @Test
  @Timeout(120)
  default void aRestartedRunnerResumesFromTheStoredPosition() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(10));
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    try (ProjectionRunner runner = new ProjectionRunner(store())) {
      runner.start(counter("resumable", counts, EventFilter.ALL));
      await().atMost(PATIENCE).until(() -> runner.status("resumable").position() == 10);
    }
    store().append(s, ExpectedVersion.ANY, events(4));
    try (ProjectionRunner runner = new ProjectionRunner(store())) {
      runner.start(counter("resumable", counts, EventFilter.ALL));
      await().atMost(PATIENCE).until(() -> runner.status("resumable").position() == 14);
    }
    assertThat(counts).containsEntry(s, 14);
  }
}
