package io.factum.tck;

import static io.factum.tck.Fixtures.assertDensePositions;
import static io.factum.tck.Fixtures.event;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.factum.api.BatchingEventHandler;
import io.factum.api.CheckpointPolicy;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Named subscriptions resume from their checkpoint; batch-aware handlers commit whole pages. */
public interface NamedSubscriptionContract extends StoreUnderTest {

  Duration PATIENCE = Duration.ofMinutes(1);

  @Test
  @Timeout(120)
  default void aNamedSubscriptionResumesWhereTheLastOneWithItsNameStopped() {
    store().append(stream("Order"), ExpectedVersion.ANY, events(10));
    Recorder first = new Recorder();
    try (Subscription sub = store().subscribe("order-mailer", EventFilter.ALL, first)) {
      first.awaitCount(10);
      await().atMost(PATIENCE).until(() -> sub.lastPosition() == 10);
    }
    assertThat(store().checkpoints().load("order-mailer")).hasValue(10);

    store().append(stream("Order"), ExpectedVersion.ANY, events(5));
    Recorder second = new Recorder();
    try (Subscription sub = store().subscribe("order-mailer", EventFilter.ALL, second)) {
      assertThat(second.awaitCount(5)).extracting(RecordedEvent::globalPosition).containsExactly(11L, 12L, 13L, 14L, 15L);
    }
    assertThat(store().checkpoints().load("order-mailer")).hasValue(15);
  }

  @Test
  @Timeout(120)
  default void aNamedSubscriptionSavesItsPositionAsItGoesNotOnlyOnClose() {
    store().append(stream("Order"), ExpectedVersion.ANY, events(25));
    Recorder recorder = new Recorder();
    try (Subscription sub = store().subscribe("periodic", EventFilter.ALL, recorder, new CheckpointPolicy(10, 60_000))) {
      recorder.awaitCount(25);
      await().atMost(PATIENCE).until(() -> store().checkpoints().load("periodic").orElse(0) >= 20);
    }
  }

  @Test
  @Timeout(120)
  default void aFailedNamedSubscriptionSavesTheLastHandledEventAndRedeliversTheFailedOne() throws Exception {
    store().append(stream("Order"), ExpectedVersion.ANY, events(6));
    Recorder failing = new Recorder() {
      @Override
      protected void onEvent(RecordedEvent event) {
        if (event.globalPosition() == 4) {
          throw new IllegalStateException("poison event");
        }
      }
    };
    Subscription sub = store().subscribe("fragile", EventFilter.ALL, failing);
    await().atMost(PATIENCE).until(() -> sub.state() == Subscription.State.FAILED);
    sub.stopped().toCompletableFuture().exceptionally(t -> null).get(1, TimeUnit.MINUTES);
    await().atMost(PATIENCE).until(() -> store().checkpoints().load("fragile").orElse(0) == 3);

    Recorder fixed = new Recorder();
    try (Subscription again = store().subscribe("fragile", EventFilter.ALL, fixed)) {
      assertThat(fixed.awaitCount(3)).extracting(RecordedEvent::globalPosition).containsExactly(4L, 5L, 6L);
    }
  }

  @Test
  @Timeout(120)
  default void aFilteredNamedSubscriptionCheckpointsPastEventsItDidNotWant() {
    store().append(stream("Order"), ExpectedVersion.ANY, event("OrderPlaced", 1));
    store().append(stream("Customer"), ExpectedVersion.ANY, events(9));
    Recorder recorder = new Recorder();
    try (Subscription sub = store().subscribe("orders-only", EventFilter.categories("Order"), recorder)) {
      recorder.awaitCount(1);
      await().atMost(PATIENCE).until(() -> sub.lastPosition() == 10);
    }
    assertThat(store().checkpoints().load("orders-only")).hasValue(10);
  }

  @Test
  @Timeout(120)
  default void aBatchingHandlerIsToldWhereEachPageEndsAndThePositionFollowsOnlyAfter() {
    for (int k = 0; k < 30; k++) {
      store().append(stream("Order"), ExpectedVersion.ANY, events(100, k * 100 + 1));
    }
    List<Long> ends = new CopyOnWriteArrayList<>();
    List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
    Subscription[] self = new Subscription[1];
    List<Long> positionAtEnd = new CopyOnWriteArrayList<>();
    BatchingEventHandler handler = new BatchingEventHandler() {
      @Override
      public void handle(RecordedEvent event) {
        seen.add(event);
      }

      @Override
      public void endOfBatch(long position) {
        ends.add(position);
        if (self[0] != null) {
          positionAtEnd.add(self[0].lastPosition());
        }
      }
    };
    try (Subscription sub = store().subscribeToAll(0, EventFilter.ALL, handler)) {
      self[0] = sub;
      await().atMost(PATIENCE).until(() -> sub.lastPosition() == 3000);
    }
    assertDensePositions(seen, 1);
    assertThat(ends).isSorted().doesNotHaveDuplicates().contains(3000L);
    assertThat(ends.size()).isGreaterThan(1).isLessThan(3000);
    for (int k = 0; k < positionAtEnd.size(); k++) { // while endOfBatch runs, the position is still the previous page's
      assertThat(positionAtEnd.get(k)).isLessThan(ends.get(ends.size() - positionAtEnd.size() + k));
    }
  }

  @Test
  @Timeout(120)
  default void aFailedBatchIsRedeliveredWholeToTheNextSubscription() throws Exception {
    store().append(stream("Order"), ExpectedVersion.ANY, events(50));
    List<RecordedEvent> firstTry = new CopyOnWriteArrayList<>();
    BatchingEventHandler failingCommit = new BatchingEventHandler() {
      @Override
      public void handle(RecordedEvent event) {
        firstTry.add(event);
      }

      @Override
      public void endOfBatch(long position) {
        throw new IllegalStateException("commit failed");
      }
    };
    Subscription sub = store().subscribeToAll(0, EventFilter.ALL, failingCommit);
    sub.stopped().toCompletableFuture().exceptionally(t -> null).get(1, TimeUnit.MINUTES);
    assertThat(sub.state()).isEqualTo(Subscription.State.FAILED);
    assertThat(sub.lastPosition()).as("nothing of the uncommitted page counts as processed").isZero();
    assertThat(firstTry).isNotEmpty();

    List<RecordedEvent> again = new ArrayList<>();
    Recorder recorder = new Recorder();
    try (Subscription retry = store().subscribeToAll(sub.lastPosition(), EventFilter.ALL, recorder)) {
      again.addAll(recorder.awaitCount(50));
    }
    assertThat(again.subList(0, firstTry.size())).containsExactlyElementsOf(firstTry);
  }

  @Test
  @Timeout(120)
  default void aNamedSubscriptionCheckpointsABatchingHandlerOnlyThroughThePagesItCommitted() throws Exception {
    for (int k = 0; k < 30; k++) {
      store().append(stream("Order"), ExpectedVersion.ANY, events(100, k * 100 + 1));
    }
    List<RecordedEvent> committed = new CopyOnWriteArrayList<>();
    long[] committedThrough = new long[1];
    BatchingEventHandler failsOnItsSecondPage = new BatchingEventHandler() {
      private final List<RecordedEvent> page = new ArrayList<>();
      private int pages;

      @Override
      public void handle(RecordedEvent event) {
        page.add(event);
      }

      @Override
      public void endOfBatch(long position) {
        if (++pages == 2) {
          throw new IllegalStateException("commit failed");
        }
        committed.addAll(page);
        page.clear();
        committedThrough[0] = position;
      }
    };
    Subscription sub = store().subscribe("batched", EventFilter.ALL, failsOnItsSecondPage, new CheckpointPolicy(1, 60_000));
    sub.stopped().toCompletableFuture().exceptionally(t -> null).get(1, TimeUnit.MINUTES);
    assertThat(sub.state()).as("its endOfBatch was called").isEqualTo(Subscription.State.FAILED);
    assertThat(committedThrough[0]).as("the first page was committed").isBetween(1L, 2999L);
    assertThat(store().checkpoints().load("batched")).as("the checkpoint covers exactly the committed page").hasValue(committedThrough[0]);

    Recorder rest = new Recorder();
    try (Subscription again = store().subscribe("batched", EventFilter.ALL, rest)) {
      List<RecordedEvent> resumed = rest.awaitCount(3000 - (int) committedThrough[0]);
      assertThat(resumed.get(0).globalPosition()).isEqualTo(committedThrough[0] + 1);
      assertDensePositions(committed, 1);
      assertDensePositions(resumed, committedThrough[0] + 1);
    }
  }
}
