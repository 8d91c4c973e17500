package io.factum.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StorageException;
import io.factum.api.Subscription;
import io.factum.tck.Race;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The global-order guarantee under fire: 16 writers on two stores with independent connection pools
 * (as two JVMs would be), transactions rolled back and transactions held open before their commit,
 * and subscribers on both stores. Every subscriber must receive every committed event exactly once,
 * in the same order, with dense positions — the bug class that made Marten, Eventuous,
 * SQLStreamStore and prooph subscribers skip events.
 */
class GlobalOrderStressTest {

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void everySubscriberGetsEveryCommittedEventOnceInOrderDespiteRollbacksAndSlowCommits() throws Exception {
    long seed = System.nanoTime();
    String schema = "stress_" + Long.toHexString(seed & 0xFFFFFF);
    PostgresOptions options = PostgresOptions.DEFAULT.withSchema(schema).withMaxPoolSize(12);
    try (PostgresEventStore a = PostgresEventStore.connect(PostgresTestDatabase.jdbcUrl(), "postgres", null, options);
        PostgresEventStore b = PostgresEventStore.connect(PostgresTestDatabase.jdbcUrl(), "postgres", null, options)) {
      List<List<RecordedEvent>> received = new ArrayList<>();
      List<Subscription> subscriptions = new ArrayList<>();
      for (PostgresEventStore store : List.of(a, b, a, b)) {
        List<RecordedEvent> events = new CopyOnWriteArrayList<>();
        received.add(events);
        subscriptions.add(store.subscribeToAll(0, EventFilter.ALL, events::add));
      }
      Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
      Set<UUID> rolledBack = ConcurrentHashMap.newKeySet();
      AtomicInteger slowCommits = new AtomicInteger();
      int writers = 16;
      int target = 22_000;
      AtomicInteger written = new AtomicInteger();

      Race.run(writers, w -> {
        Random random = new Random(seed + w);
        PostgresEventStore store = w % 2 == 0 ? a : b;
        while (written.get() < target) {
          int count = 1 + random.nextInt(6);
          List<EventData> batch = new ArrayList<>();
          for (int k = 0; k < count; k++) {
            batch.add(EventData.json("Stressed", "{\"w\":" + w + ",\"k\":" + k + "}").withId(UUID.randomUUID()));
          }
          int dice = random.nextInt(100);
          Runnable beforeCommit = null;
          if (dice < 5) {
            beforeCommit = () -> {
              throw new IllegalStateException("injected rollback");
            };
          } else if (dice < 10) {
            beforeCommit = () -> {
              slowCommits.incrementAndGet();
              sleep(5 + random.nextInt(25)); // hold the transaction open before it commits
            };
          }
          try {
            AppendResult r = store.append("Stress-" + random.nextInt(50), ExpectedVersion.ANY, batch, beforeCommit);
            assertThat(r.eventCount()).isEqualTo(count);
            batch.forEach(e -> acknowledged.add(e.eventId()));
            written.addAndGet(count);
          } catch (StorageException rolled) {
            batch.forEach(e -> rolledBack.add(e.eventId()));
          }
        }
        return null;
      });

      long head = a.headPosition();
      assertThat(head).as("seed %d", seed).isEqualTo(acknowledged.size()).isGreaterThanOrEqualTo(target);
      assertThat(rolledBack).as("some transactions were rolled back").isNotEmpty();
      assertThat(slowCommits.get()).as("some commits were held open").isPositive();
      for (List<RecordedEvent> events : received) {
        await().atMost(Duration.ofMinutes(2)).until(() -> events.size() >= head);
      }
      List<UUID> reference = received.get(0).stream().map(RecordedEvent::eventId).toList();
      for (List<RecordedEvent> events : received) {
        assertThat(events).as("seed %d", seed).hasSize((int) head);
        for (int k = 0; k < events.size(); k++) {
          assertThat(events.get(k).globalPosition()).as("seed %d: position of delivery #%d", seed, k).isEqualTo(k + 1);
        }
        assertThat(events.stream().map(RecordedEvent::eventId).toList()).as("same order everywhere").isEqualTo(reference);
      }
      Set<UUID> delivered = new HashSet<>(reference);
      assertThat(delivered).as("exactly the acknowledged events").isEqualTo(acknowledged);
      assertThat(delivered).as("nothing rolled back").doesNotContainAnyElementsOf(rolledBack);
      subscriptions.forEach(Subscription::close);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
