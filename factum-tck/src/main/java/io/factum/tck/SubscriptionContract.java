package io.factum.tck;

import static io.factum.tck.Fixtures.assertDensePositions;
import static io.factum.tck.Fixtures.event;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidEventException;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Subscriptions: catch-up then live with no gap and no duplicate, resume, filters, backpressure
 * (a slow handler never blocks writers), failure without skipping, prompt close.
 */
public interface SubscriptionContract extends StoreUnderTest {

  /** A liveness bound for awaits, not a speed claim. */
  Duration PATIENCE = Duration.ofMinutes(1);

  @Test
  @Timeout(120)
  default void subscriptionCatchesUpThenGoesLive() {
    String s = stream("Order");
    for (int k = 0; k < 10; k++) {
      store().append(s, ExpectedVersion.ANY, events(100, k * 100 + 1));
    }
    Recorder recorder = new Recorder();
    try (Subscription sub = store().subscribeToAll(0, EventFilter.ALL, recorder)) {
      recorder.awaitCount(1000);
      await().atMost(PATIENCE).until(sub::isLive);
      assertThat(sub.state()).isEqualTo(Subscription.State.LIVE);
      assertThat(sub.lastPosition()).isEqualTo(1000);

      store().append(s, ExpectedVersion.ANY, events(500, 1001));

      List<RecordedEvent> received = recorder.awaitCount(1500);
      assertThat(received).hasSize(1500);
      assertDensePositions(received, 1);
      assertThat(received).extracting(Fixtures::n).isSorted();
      await().atMost(PATIENCE).until(() -> sub.lastPosition() == 1500);
    }
  }

  @Test
  @Timeout(120)
  default void catchUpToLiveSwitchUnderConcurrentWritesHasNoGapAndNoDuplicate() throws Exception {
    AtomicBoolean writing = new AtomicBoolean(true);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      for (int k = 0; k < 400; k++) {
        store().append(stream("W" + (k % 5)), ExpectedVersion.ANY, events(1 + k % 4, k * 10));
      }
      writing.set(false);
    });
    List<Recorder> recorders = new ArrayList<>();
    List<Long> starts = new ArrayList<>();
    List<Subscription> subs = new ArrayList<>();
    try {
      while (writing.get() && subs.size() < 8) { // subscribe at different moments of the write burst
        long start = store().headPosition() / 2;
        Recorder r = new Recorder();
        recorders.add(r);
        starts.add(start);
        subs.add(store().subscribeToAll(start, EventFilter.ALL, r));
        Thread.sleep(3);
      }
      writer.get(2, TimeUnit.MINUTES);
      long head = store().headPosition();
      for (int k = 0; k < recorders.size(); k++) {
        List<RecordedEvent> got = recorders.get(k).awaitCount((int) (head - starts.get(k)));
        assertThat(got).hasSize((int) (head - starts.get(k)));
        assertDensePositions(got, starts.get(k) + 1);
      }
    } finally {
      subs.forEach(Subscription::close);
    }
    assertThat(subs).isNotEmpty();
  }

  @Test
  @Timeout(120)
  default void subscriptionStartsStrictlyAfterTheGivenPosition() {
    store().append(stream("Order"), ExpectedVersion.ANY, events(20));
    Recorder recorder = new Recorder();
    try (Subscription sub = store().subscribeToAll(10, EventFilter.ALL, recorder)) {
      List<RecordedEvent> got = recorder.awaitCount(10);
      assertDensePositions(got, 11);
      store().append(stream("Order"), ExpectedVersion.ANY, events(1));
      assertThat(recorder.awaitCount(11).get(10).globalPosition()).isEqualTo(21);
    }
  }

  @Test
  @Timeout(120)
  default void subscriptionFromTheHeadReceivesOnlyNewEvents() {
    store().append(stream("Order"), ExpectedVersion.ANY, events(5));
    Recorder recorder = new Recorder();
    try (Subscription sub = store().subscribeToAll(store().headPosition(), EventFilter.ALL, recorder)) {
      await().atMost(PATIENCE).until(sub::isLive);
      assertThat(recorder.count()).isZero();
      store().append(stream("Order"), ExpectedVersion.ANY, events(2));
      assertThat(recorder.awaitCount(2)).extracting(RecordedEvent::globalPosition).containsExactly(6L, 7L);
    }
  }

  @Test
  @Timeout(120)
  default void resumingFromLastPositionContinuesExactlyWhereTheLastSubscriptionStopped() {
    store().append(stream("Order"), ExpectedVersion.ANY, events(30));
    CountDownLatch tenSeen = new CountDownLatch(10);
    Recorder first = new Recorder() {
      @Override
      protected void onEvent(RecordedEvent event) {
        tenSeen.countDown();
      }
    };
    Subscription sub = store().subscribeToAll(0, EventFilter.ALL, first);
    await().atMost(PATIENCE).until(() -> tenSeen.getCount() == 0);
    sub.close();
    long resumeFrom = sub.lastPosition();
    assertThat(resumeFrom).isEqualTo(first.count());

    store().append(stream("Order"), ExpectedVersion.ANY, events(5));
    Recorder second = new Recorder();
    try (Subscription again = store().subscribeToAll(resumeFrom, EventFilter.ALL, second)) {
      List<RecordedEvent> rest = second.awaitCount((int) (35 - resumeFrom));
      List<RecordedEvent> together = new ArrayList<>(first.events());
      together.addAll(rest);
      assertDensePositions(together, 1);
      assertThat(together).hasSize(35);
    }
  }

  @Test
  @Timeout(120)
  default void filteredSubscriptionGetsOnlyMatchesAndItsPositionMovesPastTheRest() {
    store().append(stream("Order"), ExpectedVersion.ANY, event("OrderPlaced", 1), event("OrderShipped", 2));
    store().append(stream("Customer"), ExpectedVersion.ANY, event("CustomerJoined", 3));
    Recorder recorder = new Recorder();
    try (Subscription sub = store().subscribeToAll(0, EventFilter.eventTypes("OrderShipped"), recorder)) {
      assertThat(recorder.awaitCount(1)).extracting(Fixtures::n).containsExactly(2);
      await().atMost(PATIENCE).until(() -> sub.lastPosition() == 3);

      store().append(stream("Customer"), ExpectedVersion.ANY, events(10));
      await().atMost(PATIENCE).until(() -> sub.lastPosition() == 13);
      store().append(stream("Order"), ExpectedVersion.ANY, event("OrderShipped", 99));
      assertThat(recorder.awaitCount(2)).extracting(Fixtures::n).containsExactly(2, 99);
      assertThat(recorder.events().get(1).globalPosition()).isEqualTo(14);
    }
  }

  @Test
  @Timeout(120)
  default void streamSubscriptionGetsOnlyItsStreamFromTheGivenVersion() {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(5));
    store().append(stream("Order"), ExpectedVersion.ANY, events(5));
    Recorder recorder = new Recorder();
    try (Subscription sub = store().subscribeToStream(s, 3, recorder)) {
      assertThat(recorder.awaitCount(3)).extracting(RecordedEvent::version).containsExactly(3L, 4L, 5L);
      await().atMost(PATIENCE).until(sub::isLive);
      store().append(stream("Order"), ExpectedVersion.ANY, events(3));
      store().append(s, ExpectedVersion.ANY, events(2, 6));
      List<RecordedEvent> got = recorder.awaitCount(5);
      assertThat(got).extracting(RecordedEvent::version).containsExactly(3L, 4L, 5L, 6L, 7L);
      assertThat(got).allMatch(e -> e.streamId().equals(s));
      await().atMost(PATIENCE).until(() -> sub.lastPosition() == got.get(4).globalPosition());
    }
  }

  @Test
  @Timeout(120)
  default void streamSubscriptionWaitsForAStreamThatDoesNotExistYet() {
    String s = stream("Later");
    Recorder recorder = new Recorder();
    try (Subscription sub = store().subscribeToStream(s, 1, recorder)) {
      await().atMost(PATIENCE).until(sub::isLive);
      assertThat(sub.lastPosition()).isZero();
      store().append(s, ExpectedVersion.NO_STREAM, events(2));
      assertThat(recorder.awaitCount(2)).extracting(RecordedEvent::version).containsExactly(1L, 2L);
    }
  }

  @Test
  @Timeout(120)
  default void slowHandlerNeverBlocksWritersAndStillGetsEverythingInOrder() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Recorder slow = new Recorder() {
      @Override
      protected void onEvent(RecordedEvent event) throws InterruptedException {
        release.await();
      }
    };
    Recorder fast = new Recorder();
    try (Subscription stuck = store().subscribeToAll(0, EventFilter.ALL, slow);
        Subscription other = store().subscribeToAll(0, EventFilter.ALL, fast)) {
      String s = stream("Busy");
      // Writers and other subscribers carry on while the slow handler is stuck on its first event:
      // were writers blocked, this loop would never end and the test would time out.
      for (int k = 0; k < 100; k++) {
        store().append(s, ExpectedVersion.ANY, events(50, k * 50 + 1));
      }
      assertThat(fast.awaitCount(5000)).hasSize(5000);
      assertThat(slow.count()).isZero();
      assertThat(stuck.lastPosition()).as("nothing acknowledged while the handler is stuck").isZero();

      release.countDown();
      List<RecordedEvent> got = slow.awaitCount(5000);
      assertDensePositions(got, 1);
      await().atMost(PATIENCE).until(stuck::isLive);
    }
  }

  @Test
  @Timeout(120)
  default void handlerFailureStopsTheSubscriptionWithoutSkippingTheEvent() throws Exception {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(5));
    IllegalStateException boom = new IllegalStateException("boom on event 3");
    Recorder failing = new Recorder() {
      @Override
      protected void onEvent(RecordedEvent event) {
        if (event.globalPosition() == 3) {
          throw boom;
        }
      }
    };
    Subscription sub = store().subscribeToAll(0, EventFilter.ALL, failing);

    ExecutionException stopped = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> sub.stopped().toCompletableFuture().get(1, TimeUnit.MINUTES));

    assertThat(stopped.getCause()).isSameAs(boom);
    assertThat(sub.state()).isEqualTo(Subscription.State.FAILED);
    assertThat(sub.failure()).containsSame(boom);
    assertThat(sub.lastPosition()).as("the failed event is not acknowledged").isEqualTo(2);
    store().append(s, ExpectedVersion.ANY, events(2));
    assertThat(failing.events()).extracting(RecordedEvent::globalPosition).containsExactly(1L, 2L);
    assertThat(sub.isLive()).isFalse();
    sub.close(); // closing a failed subscription is harmless

    Recorder retry = new Recorder();
    try (Subscription again = store().subscribeToAll(sub.lastPosition(), EventFilter.ALL, retry)) {
      assertThat(retry.awaitCount(5)).extracting(RecordedEvent::globalPosition).containsExactly(3L, 4L, 5L, 6L, 7L);
    }
  }

  @Test
  @Timeout(120)
  default void closeStopsDeliveryPromptlyAndEndsTheSubscriptionThread() throws Exception {
    String s = stream("Order");
    store().append(s, ExpectedVersion.ANY, events(3));
    Recorder recorder = new Recorder();
    Subscription sub = store().subscribeToAll(0, EventFilter.ALL, recorder);
    recorder.awaitCount(3);
    Thread worker = recorder.lastThread();

    sub.close();

    assertThat(sub.state()).isEqualTo(Subscription.State.CLOSED);
    sub.stopped().toCompletableFuture().get(1, TimeUnit.MINUTES);
    worker.join(PATIENCE.toMillis());
    assertThat(worker.isAlive()).as("subscription thread %s still alive after close", worker.getName()).isFalse();
    store().append(s, ExpectedVersion.ANY, events(3));
    Thread.sleep(50);
    assertThat(recorder.count()).isEqualTo(3);
    sub.close();
  }

  @Test
  @Timeout(120)
  default void closingFromInsideTheHandlerStopsAfterThatEvent() throws Exception {
    store().append(stream("Order"), ExpectedVersion.ANY, events(10));
    Subscription[] self = new Subscription[1];
    CountDownLatch subscribed = new CountDownLatch(1);
    Recorder recorder = new Recorder() {
      @Override
      protected void onEvent(RecordedEvent event) throws InterruptedException {
        subscribed.await();
        if (event.globalPosition() == 4) {
          self[0].close();
        }
      }
    };
    self[0] = store().subscribeToAll(0, EventFilter.ALL, recorder);
    subscribed.countDown();

    self[0].stopped().toCompletableFuture().get(1, TimeUnit.MINUTES);

    assertThat(recorder.events()).extracting(RecordedEvent::globalPosition).containsExactly(1L, 2L, 3L, 4L);
    assertThat(self[0].lastPosition()).isEqualTo(4);
    assertThat(self[0].state()).isEqualTo(Subscription.State.CLOSED);
  }

  @Test
  @Timeout(120)
  default void closingTheStoreStopsItsSubscriptions() throws Exception {
    store().append(stream("Order"), ExpectedVersion.ANY, events(2));
    Recorder recorder = new Recorder();
    Subscription sub = store().subscribeToAll(0, EventFilter.ALL, recorder);
    recorder.awaitCount(2);

    store().close();

    sub.stopped().toCompletableFuture().get(1, TimeUnit.MINUTES);
    assertThat(sub.state()).isEqualTo(Subscription.State.CLOSED);
  }

  @Test
  @Timeout(120)
  default void everySubscriberReceivesEverything() {
    List<Recorder> recorders = new ArrayList<>();
    List<Subscription> subs = new ArrayList<>();
    try {
      for (int k = 0; k < 20; k++) {
        Recorder r = new Recorder();
        recorders.add(r);
        subs.add(store().subscribeToAll(0, EventFilter.ALL, r));
      }
      for (int k = 0; k < 20; k++) {
        store().append(stream("Fan"), ExpectedVersion.ANY, events(10, k * 10));
      }
      for (Recorder r : recorders) {
        assertDensePositions(r.awaitCount(200), 1);
        assertThat(r.overlapped()).isFalse();
      }
    } finally {
      subs.forEach(Subscription::close);
    }
  }

  @Test
  default void subscribeRejectsInvalidArguments() {
    assertThatThrownBy(() -> store().subscribeToAll(-1, EventFilter.ALL, e -> {})).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().subscribeToAll(0, null, e -> {})).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().subscribeToAll(0, EventFilter.ALL, null)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().subscribeToStream("", 1, e -> {})).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().subscribeToStream("Order-1", 0, e -> {})).isInstanceOf(InvalidEventException.class);
  }
}
