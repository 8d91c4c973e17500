package io.factum.tck;

import static io.factum.tck.Fixtures.assertDensePositions;
import static io.factum.tck.Fixtures.event;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.api.WrongExpectedVersionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real threads racing: one winner per version, dense results, readers that never see a hole or go back. */
public interface ConcurrencyContract extends StoreUnderTest {

  @Test
  @Timeout(300)
  default void racingWritersOnOneStreamGetExactlyOneWinnerPerVersion() throws Exception {
    String s = stream("Hot");
    int threads = 8;
    int attemptsPerThread = 150;

    List<List<AppendResult>> wins = Race.run(threads, t -> {
      List<AppendResult> mine = new ArrayList<>();
      for (int k = 0; k < attemptsPerThread; k++) {
        long current = store().streamVersion(s).orElse(0);
        try {
          mine.add(store().append(s, ExpectedVersion.exactly(current), event("Tick", t * 10_000 + k)));
        } catch (WrongExpectedVersionException lost) {
          assertThat(lost.actualVersion()).isNotEqualTo(current == 0 ? -1 : current);
        }
      }
      return mine;
    });

    Set<Long> wonVersions = new HashSet<>();
    int total = 0;
    for (List<AppendResult> perThread : wins) {
      for (AppendResult r : perThread) {
        assertThat(wonVersions.add(r.firstVersion())).as("version %d won twice", r.firstVersion()).isTrue();
        total++;
      }
    }
    assertThat(total).isPositive();
    List<RecordedEvent> stored = store().readStream(s, 1, 100_000);
    assertThat(stored).hasSize(total);
    for (int k = 0; k < stored.size(); k++) {
      assertThat(stored.get(k).version()).isEqualTo(k + 1);
    }
    long winners = total;
    assertThat(wonVersions).hasSize(total).allMatch(v -> v >= 1 && v <= winners);
  }

  @Test
  @Timeout(300)
  default void concurrentCreatorsOfOneStreamHaveExactlyOneWinner() throws Exception {
    String s = stream("Once");
    List<Boolean> won = Race.run(8, t -> {
      try {
        store().append(s, ExpectedVersion.NO_STREAM, event("Created", t));
        return true;
      } catch (WrongExpectedVersionException e) {
        return false;
      }
    });
    assertThat(won.stream().filter(w -> w).count()).isEqualTo(1);
    assertThat(store().streamVersion(s)).hasValue(1);
  }

  @Test
  @Timeout(300)
  default void manyWritersOnManyStreamsWhileAnAllSubscriberSeesEveryEventOnceInOrder() throws Exception {
    long seed = System.nanoTime();
    int threads = 8;
    int appendsPerThread = 150;
    List<String> streams = new ArrayList<>();
    for (int k = 0; k < 24; k++) {
      streams.add(stream("Busy" + (k % 3)));
    }
    Recorder all = new Recorder();
    Recorder filtered = new Recorder();
    try (Subscription sub = store().subscribeToAll(0, EventFilter.ALL, all);
        Subscription cat = store().subscribeToAll(0, EventFilter.categories("Busy1"), filtered)) {

      List<Integer> written = Race.run(threads, t -> {
        Random random = new Random(seed + t);
        int count = 0;
        for (int k = 0; k < appendsPerThread; k++) {
          int size = 1 + random.nextInt(5);
          store().append(streams.get(random.nextInt(streams.size())), ExpectedVersion.ANY, events(size, t * 100_000 + count));
          count += size;
        }
        return count;
      });

      int total = written.stream().mapToInt(Integer::intValue).sum();
      assertThat(store().headPosition()).as("seed %d", seed).isEqualTo(total);
      List<RecordedEvent> received = all.awaitCount(total);
      assertThat(received).as("seed %d", seed).hasSize(total);
      assertDensePositions(received, 1);
      assertThat(received).containsExactlyElementsOf(readEverything());
      assertThat(all.overlapped()).isFalse();

      List<RecordedEvent> expectedFiltered = received.stream().filter(e -> e.category().equals("Busy1")).toList();
      assertThat(filtered.awaitCount(expectedFiltered.size())).containsExactlyElementsOf(expectedFiltered);
    }
    Map<String, Long> next = new HashMap<>();
    for (RecordedEvent e : readEverything()) {
      long expected = next.merge(e.streamId(), 1L, Long::sum);
      assertThat(e.version()).as("version in %s, seed %d", e.streamId(), seed).isEqualTo(expected);
    }
  }

  @Test
  @Timeout(300)
  default void readersRacingWritersNeverSeeAHoleOrAPositionGoBack() throws Exception {
    AtomicBoolean writing = new AtomicBoolean(true);
    int writers = 4;
    int readers = 3;
    List<String> streams = List.of(stream("R"), stream("R"), stream("R"), stream("R"));

    List<Long> results = Race.run(writers + readers, t -> {
      if (t < writers) {
        try {
          for (int k = 0; k < 300; k++) {
            store().append(streams.get(t), ExpectedVersion.ANY, events(1 + k % 3, k));
          }
        } finally {
          if (t == 0) {
            writing.set(false);
          }
        }
        return 0L;
      }
      long seen = 0;
      boolean last = false;
      while (!last) {
        last = !writing.get();
        List<RecordedEvent> page = store().readAll(seen, 97);
        while (!page.isEmpty()) {
          for (RecordedEvent e : page) {
            assertThat(e.globalPosition()).as("reader %d after %d", t, seen).isEqualTo(seen + 1);
            seen = e.globalPosition();
          }
          page = store().readAll(seen, 97);
        }
      }
      return seen;
    });

    // A reader may finish before the other writers do; each saw a dense prefix.
    for (int r = writers; r < writers + readers; r++) {
      assertThat(results.get(r)).isLessThanOrEqualTo(store().headPosition()).isPositive();
    }
  }

  @Test
  @Timeout(300)
  default void concurrentIdenticalRetriesWriteTheBatchOnce() throws Exception {
    String s = stream("Retry");
    List<EventData> batch = events(3);

    List<AppendResult> results = Race.run(8, t -> store().append(s, ExpectedVersion.ANY, batch));

    assertThat(results.stream().filter(r -> !r.alreadyAppended()).count()).isEqualTo(1);
    AppendResult original = results.stream().filter(r -> !r.alreadyAppended()).findFirst().orElseThrow();
    assertThat(results).allMatch(r -> r.firstPosition() == original.firstPosition() && r.lastVersion() == original.lastVersion());
    assertThat(store().headPosition()).isEqualTo(3);
  }

  private List<RecordedEvent> readEverything() {
    List<RecordedEvent> out = new ArrayList<>();
    long after = 0;
    while (true) {
      List<RecordedEvent> page = store().readAll(after, 1000);
      if (page.isEmpty()) {
        return out;
      }
      out.addAll(page);
      after = page.get(page.size() - 1).globalPosition();
    }
  }
}
