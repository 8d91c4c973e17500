package io.factum.core.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.core.InMemoryEventStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the engine does beyond the TCK: transient read failures, lost notifications, page bounds. */
class SubscriptionEngineTest {

  private static final Duration PATIENCE = Duration.ofMinutes(1);

  @Test
  void readFailuresAreRetriedWithoutFailingOrSkipping() {
    try (InMemoryEventStore store = InMemoryEventStore.create();
        SubscriptionEngine engine = new SubscriptionEngine("test", SubscriptionSettings.DEFAULT)) {
      store.append("Order-1", ExpectedVersion.ANY, events(5));
      AtomicInteger failuresLeft = new AtomicInteger(3);
      AllPageReader flaky = (after, max, filter) -> {
        if (failuresLeft.getAndDecrement() > 0) {
          throw new IllegalStateException("database restarting");
        }
        return AllPageReader.of(store).read(after, max, filter);
      };
      List<RecordedEvent> got = new CopyOnWriteArrayList<>();

      try (Subscription sub = engine.subscribeToAll(flaky, 0, EventFilter.ALL, got::add)) {
        await().atMost(PATIENCE).until(() -> got.size() == 5);
        assertThat(sub.state()).isNotEqualTo(Subscription.State.FAILED);
        assertThat(got).extracting(RecordedEvent::globalPosition).containsExactly(1L, 2L, 3L, 4L, 5L);
      }
    }
  }

  @Test
  void anErrorWhileReadingFailsTheSubscriptionVisibly() throws Exception {
    try (InMemoryEventStore store = InMemoryEventStore.create();
        SubscriptionEngine engine = new SubscriptionEngine("test", SubscriptionSettings.DEFAULT)) {
      AllPageReader outOfMemory = (after, max, filter) -> {
        throw new OutOfMemoryError("a page of huge events (simulated)");
      };
      Subscription sub = engine.subscribeToAll(outOfMemory, 0, EventFilter.ALL, e -> {});
      assertThat(sub.stopped().toCompletableFuture().handle((ok, failure) -> failure).get(1, TimeUnit.MINUTES))
          .as("stopped with a failure, not as if closed").hasRootCauseInstanceOf(OutOfMemoryError.class);
      assertThat(sub.state()).isEqualTo(Subscription.State.FAILED);
      assertThat(sub.failure()).containsInstanceOf(OutOfMemoryError.class);
    }
  }

  @Test
  void closingTheEngineWaitsForStuckHandlersTogetherNotOneAfterAnother() throws Exception {
    try (InMemoryEventStore store = InMemoryEventStore.create()) {
      store.append("Order-1", ExpectedVersion.ANY, events(1));
      Duration closeTimeout = Duration.ofSeconds(2);
      SubscriptionEngine engine = new SubscriptionEngine("stuck", new SubscriptionSettings(512, Duration.ofSeconds(1), closeTimeout));
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger inside = new AtomicInteger();
      for (int k = 0; k < 5; k++) {
        engine.subscribeToAll(AllPageReader.of(store), 0, EventFilter.ALL, e -> {
          inside.incrementAndGet();
          release.await(); // a handler blocked in a write to a client that stopped reading
        });
      }
      await().atMost(PATIENCE).until(() -> inside.get() == 5);
      long started = System.nanoTime();
      engine.close();
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      release.countDown();
      // One after another would take five close timeouts (10 s); together, one (2 s).
      assertThat(took).isLessThan(closeTimeout.multipliedBy(3));
    }
  }

  @Test
  void lostNotificationsAreCoveredByPolling() {
    try (InMemoryEventStore store = InMemoryEventStore.create();
        SubscriptionEngine engine = new SubscriptionEngine("test",
            SubscriptionSettings.DEFAULT.withPollInterval(Duration.ofMillis(20)))) {
      List<RecordedEvent> got = new CopyOnWriteArrayList<>();
      // This engine is never told about appends: only its poll can find them.
      try (Subscription sub = engine.subscribeToAll(AllPageReader.of(store), 0, EventFilter.ALL, got::add)) {
        await().atMost(PATIENCE).until(sub::isLive);
        store.append("Order-1", ExpectedVersion.ANY, events(3));
        await().atMost(PATIENCE).until(() -> got.size() == 3);
      }
    }
  }

  @Test
  void pagesNeverExceedThePageSize() {
    try (InMemoryEventStore store = InMemoryEventStore.create();
        SubscriptionEngine engine = new SubscriptionEngine("test", SubscriptionSettings.DEFAULT.withPageSize(7))) {
      for (int k = 0; k < 10; k++) {
        store.append("Order-" + k, ExpectedVersion.ANY, events(10));
      }
      AtomicInteger largest = new AtomicInteger();
      AtomicInteger delivered = new AtomicInteger();
      AllPageReader measuring = (after, max, filter) -> {
        AllPage page = AllPageReader.of(store).read(after, max, filter);
        largest.accumulateAndGet(page.events().size(), Math::max);
        return page;
      };
      try (Subscription sub = engine.subscribeToAll(measuring, 0, EventFilter.ALL, e -> delivered.incrementAndGet())) {
        await().atMost(PATIENCE).until(() -> delivered.get() == 100);
      }
      assertThat(largest.get()).isEqualTo(7);
    }
  }

  @Test
  void closingTheEngineEndsEverySubscriptionThread() {
    try (InMemoryEventStore store = InMemoryEventStore.create()) {
      SubscriptionEngine engine = new SubscriptionEngine("closing", SubscriptionSettings.DEFAULT);
      for (int k = 0; k < 50; k++) {
        engine.subscribeToAll(AllPageReader.of(store), 0, EventFilter.ALL, e -> {});
        engine.subscribeToStream(store::readStream, "Order-" + k, 1, e -> {});
      }
      assertThat(engine.activeCount()).isEqualTo(100);

      engine.close();

      await().atMost(PATIENCE).until(() -> engine.activeCount() == 0);
      await().atMost(PATIENCE).until(() -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.getName().startsWith("factum-closing-subscription-")));
    }
  }

  @Test
  void allPageReaderAdvancesPastNonMatchingEventsUpToTheHead() {
    try (InMemoryEventStore store = InMemoryEventStore.create()) {
      store.append("Customer-1", ExpectedVersion.ANY, events(10));
      AllPage page = AllPageReader.of(store).read(0, 5, EventFilter.categories("Order"));
      assertThat(page.events()).isEmpty();
      assertThat(page.scannedThrough()).isEqualTo(10);
      assertThat(page.reachedHead()).isTrue();
    }
  }

  private static List<EventData> events(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(k -> EventData.json("E", "{\"k\":" + k + "}")).toList();
  }
}
