package io.factum.tck;

import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Snapshot;
import io.factum.core.command.AggregateLoader;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.SnapshotPolicy;
import io.factum.tck.TallyDomain.Add;
import io.factum.tck.TallyDomain.Tally;
import io.factum.tck.TallyDomain.TallyCommand;
import io.factum.tck.TallyDomain.TallyEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Snapshots: taken by policy, used by loads (which then read only the tail), ignored when they do not fit. */
public interface SnapshottingContract extends StoreUnderTest {

  private CommandHandler<TallyCommand, Tally, TallyEvent> tallies(CountingStore store, SnapshotPolicy policy) {
    return CommandHandler.builder(store, TallyDomain.CODEC, TallyDomain.DECIDER, Tally.class, TallyEvent.class).snapshots(policy).build();
  }

  @Test
  default void everyNEventsASnapshotIsTakenAndLoadsReadOnlyTheEventsAfterIt() {
    String id = stream("Tally");
    CountingStore counting = new CountingStore(store());
    CommandHandler<TallyCommand, Tally, TallyEvent> handler = tallies(counting, SnapshotPolicy.everyEvents("Tally", 1, 50));
    for (int k = 0; k < 120; k++) {
      handler.handle(id, new Add(1));
    }
    Snapshot snapshot = store().snapshots().load(id).orElseThrow();
    assertThat(snapshot.version()).isEqualTo(100);

    counting.resetCount();
    AggregateLoader.Loaded<Tally> loaded = handler.loader().load(id);

    assertThat(loaded.state().total()).isEqualTo(120);
    assertThat(loaded.version()).isEqualTo(120);
    assertThat(loaded.snapshotVersion()).isEqualTo(100);
    assertThat(loaded.eventsReplayed()).isEqualTo(20);
    assertThat(counting.streamEventsRead()).as("events read from the store").isEqualTo(20);
  }

  @Test
  default void aLoadThatReplayedTooMuchLeavesASnapshotForTheNext() {
    String id = stream("Tally");
    CountingStore counting = new CountingStore(store());
    CommandHandler<TallyCommand, Tally, TallyEvent> plain = tallies(counting, SnapshotPolicy.NONE);
    for (int k = 0; k < 30; k++) {
      plain.handle(id, new Add(2));
    }
    assertThat(store().snapshots().load(id)).isEmpty();

    CommandHandler<TallyCommand, Tally, TallyEvent> snapshotting = tallies(counting, SnapshotPolicy.whenReplayedMoreThan("Tally", 1, 10));
    assertThat(snapshotting.loader().load(id).eventsReplayed()).isEqualTo(30);
    assertThat(store().snapshots().load(id).orElseThrow().version()).isEqualTo(30);

    counting.resetCount();
    AggregateLoader.Loaded<Tally> next = snapshotting.loader().load(id);
    assertThat(next.state().total()).isEqualTo(60);
    assertThat(counting.streamEventsRead()).isZero();
  }

  @Test
  default void aSnapshotOfAnotherSchemaVersionOrThatDoesNotFitIsIgnored() {
    String id = stream("Tally");
    CountingStore counting = new CountingStore(store());
    CommandHandler<TallyCommand, Tally, TallyEvent> v1 = tallies(counting, SnapshotPolicy.everyEvents("Tally", 1, 5));
    for (int k = 0; k < 10; k++) {
      v1.handle(id, new Add(1));
    }
    assertThat(store().snapshots().load(id).orElseThrow().version()).isEqualTo(10);

    // The state's shape changed: v2 must not read a v1 snapshot, it rebuilds from events.
    CommandHandler<TallyCommand, Tally, TallyEvent> v2 = tallies(counting, SnapshotPolicy.everyEvents("Tally", 2, 5));
    AggregateLoader.Loaded<Tally> loaded = v2.loader().load(id);
    assertThat(loaded.eventsReplayed()).isEqualTo(10);
    assertThat(loaded.state().total()).isEqualTo(10);

    // A snapshot that claims the right type and version but holds the wrong shape is ignored too...
    store().snapshots().save(Snapshot.of(id, "Tally", 2, 10, "[\"not\",\"a\",\"tally\"]"));
    AggregateLoader.Loaded<Tally> ignored = v2.loader().load(id);
    assertThat(ignored.snapshotVersion()).isZero();
    assertThat(ignored.eventsReplayed()).isEqualTo(10);
    assertThat(ignored.state().total()).isEqualTo(10);
    // ...and the next command's snapshot replaces it with a good one.
    v2.handle(id, new Add(1));
    AggregateLoader.Loaded<Tally> healed = v2.loader().load(id);
    assertThat(healed.snapshotVersion()).isEqualTo(11);
    assertThat(healed.state().total()).isEqualTo(11);

    // JSON null (what a decider's null state would serialise to) is ignored like any other misfit.
    store().snapshots().save(Snapshot.of(id, "Tally", 2, 11, "null"));
    AggregateLoader.Loaded<Tally> notNull = v2.loader().load(id);
    assertThat(notNull.snapshotVersion()).isZero();
    assertThat(notNull.state().total()).isEqualTo(11);
  }

  @Test
  default void aSnapshotBeyondTheStreamIsDeletedSoItIsNotTakenForTheStateOnceTheStreamReachesIt() {
    String id = stream("Tally");
    CommandHandler<TallyCommand, Tally, TallyEvent> handler = tallies(new CountingStore(store()),
        SnapshotPolicy.whenReplayedMoreThan("Tally", 1, 1));
    for (int k = 0; k < 3; k++) {
      handler.handle(id, new Add(1));
    }
    store().snapshots().save(Snapshot.of(id, "Tally", 1, 10, "{\"label\":\"x\",\"total\":1000,\"additions\":1000}"));
    for (int k = 0; k < 7; k++) {
      handler.handle(id, new Add(1)); // the stream passes version 10, the bogus snapshot's
    }
    AggregateLoader.Loaded<Tally> loaded = handler.loader().load(id);
    assertThat(loaded.version()).isEqualTo(10);
    assertThat(loaded.state().total()).isEqualTo(10);
    assertThat(new String(store().snapshots().load(id).orElseThrow().data(), StandardCharsets.UTF_8)).doesNotContain("1000");
  }

  @Test
  default void aSnapshotBeyondTheStreamIsIgnoredAndCommandsStillWork() {
    String id = stream("Tally");
    CommandHandler<TallyCommand, Tally, TallyEvent> handler = tallies(new CountingStore(store()), SnapshotPolicy.everyEvents("Tally", 1, 100));
    for (int k = 0; k < 3; k++) {
      handler.handle(id, new Add(1));
    }
    // saved by mistake (or by a client) with a version the stream never reached: it would make every command conflict
    for (long beyond : new long[] {999_999, Long.MAX_VALUE}) {
      store().snapshots().delete(id);
      store().snapshots().save(Snapshot.of(id, "Tally", 1, beyond, "{\"label\":\"x\",\"total\":1000,\"additions\":1000}"));
      AggregateLoader.Loaded<Tally> loaded = handler.loader().load(id);
      assertThat(loaded.snapshotVersion()).as("snapshot at %d", beyond).isZero();
      assertThat(loaded.state().total()).isEqualTo(3);
      assertThat(loaded.version()).isEqualTo(3);
    }
    handler.handle(id, new Add(1));
    assertThat(handler.loader().load(id).state().total()).isEqualTo(4);
  }
}
