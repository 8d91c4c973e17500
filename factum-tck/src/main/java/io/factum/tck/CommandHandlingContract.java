package io.factum.tck;

import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StorageException;
import io.factum.core.command.AggregateRoot;
import io.factum.core.command.CommandContext;
import io.factum.core.command.CommandHandler;
import io.factum.core.command.CommandResult;
import io.factum.tck.TallyDomain.Add;
import io.factum.tck.TallyDomain.Open;
import io.factum.tck.TallyDomain.Tally;
import io.factum.tck.TallyDomain.TallyAggregate;
import io.factum.tck.TallyDomain.TallyCommand;
import io.factum.tck.TallyDomain.TallyEvent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Command handling: load, decide, append with the loaded version, retry on conflict; metadata on every event. */
public interface CommandHandlingContract extends StoreUnderTest {

  private CommandHandler<TallyCommand, Tally, TallyEvent> tallies() {
    return CommandHandler.builder(store(), TallyDomain.CODEC, TallyDomain.DECIDER, Tally.class, TallyEvent.class).build();
  }

  @Test
  default void aCommandAppendsItsEventsWithTheLoadedVersionAsExpected() {
    String id = stream("Tally");
    CommandResult<Tally, TallyEvent> opened = tallies().handle(id, new Open("visitors"));
    CommandResult<Tally, TallyEvent> added = tallies().handle(id, new Add(5));

    assertThat(opened.append().firstVersion()).isEqualTo(1);
    assertThat(added.version()).isEqualTo(2);
    assertThat(added.state()).isEqualTo(new Tally("visitors", 5, 1));
    assertThat(store().readStream(id, 1, 10)).extracting(RecordedEvent::eventType).containsExactly("TallyOpened", "TallyAdded");
  }

  @Test
  default void aCommandWithoutEventsAppendsNothingAndARejectedOneNeither() {
    String id = stream("Tally");
    tallies().handle(id, new Open("a"));
    CommandResult<Tally, TallyEvent> again = tallies().handle(id, new Open("b"));

    assertThat(again.append()).isNull();
    assertThat(again.events()).isEmpty();
    assertThatThrownBy(() -> tallies().handle(id, new Add(-1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below zero");
    assertThat(store().streamVersion(id)).hasValue(1);
  }

  @Test
  @Timeout(300)
  default void concurrentHandlersOnOneAggregateAllSucceedThroughRetries() throws Exception {
    String id = stream("Tally");
    int threads = 8;
    int perThread = 15;

    // One handler per thread, as in separate processes: they only meet in the store, and retry.
    // Backoff is not fair: a handler that lost many rounds sleeps longest while fresh racers keep
    // winning, so with 8 racers over HTTP on 2 cores the default 20 attempts can run out (seen in CI).
    // This test is about retries converging, so it allows as many as the race can need.
    List<Integer> attempts = Race.run(threads, t -> {
      CommandHandler<TallyCommand, Tally, TallyEvent> handler =
          CommandHandler.builder(store(), TallyDomain.CODEC, TallyDomain.DECIDER, Tally.class, TallyEvent.class).maxAttempts(10_000).build();
      int total = 0;
      for (int k = 0; k < perThread; k++) {
        total += handler.handle(id, new Add(1)).attempts();
      }
      return total;
    });

    Tally state = tallies().loader().load(id).state();
    assertThat(state.total()).isEqualTo(threads * perThread);
    assertThat(state.additions()).isEqualTo(threads * perThread);
    assertThat(store().streamVersion(id)).hasValue(threads * perThread);
    assertThat(attempts.stream().mapToInt(Integer::intValue).sum()).as("every command reports at least one attempt")
        .isGreaterThanOrEqualTo(threads * perThread);
  }

  @Test
  @Timeout(300)
  default void commandsOnOneStreamThroughOneHandlerRunOneAtATimeAndNeverRetry() throws Exception {
    String id = stream("Tally");
    CommandHandler<TallyCommand, Tally, TallyEvent> handler = tallies();
    int threads = 8;
    int perThread = 15;

    List<Integer> attempts = Race.run(threads, t -> {
      int total = 0;
      for (int k = 0; k < perThread; k++) {
        total += handler.handle(id, new Add(1)).attempts();
      }
      return total;
    });

    assertThat(attempts).as("attempts per thread").containsOnly(perThread);
    assertThat(handler.loader().load(id).state().total()).isEqualTo(threads * perThread);
    assertThat(store().streamVersion(id)).hasValue(threads * perThread);
  }

  @Test
  @Timeout(300)
  default void theAggregateRootStyleIsServedByTheSameHandler() throws Exception {
    String id = stream("Tally");
    CommandHandler<Integer, TallyAggregate, TallyEvent> handler = CommandHandler.builder(store(), TallyDomain.CODEC,
        AggregateRoot.decider(TallyAggregate::new, TallyAggregate::add), TallyAggregate.class, TallyEvent.class).build();

    Race.run(4, t -> {
      for (int k = 0; k < 10; k++) {
        CommandResult<TallyAggregate, TallyEvent> r = handler.handle(id, 2);
        // the state a command returns counts its own events once
        TallyAggregate reloaded = handler.loader().load(id).state();
        assertThat(r.state().additions).isLessThanOrEqualTo(reloaded.additions);
        assertThat(r.state().total).isEqualTo(2L * r.state().additions).isEqualTo(2L * r.version());
      }
      return null;
    });

    TallyAggregate loaded = handler.loader().load(id).state();
    assertThat(loaded.total).isEqualTo(80);
    assertThat(loaded.additions).isEqualTo(40);
    assertThatThrownBy(() -> handler.handle(id, -100)).isInstanceOf(IllegalArgumentException.class);
    assertThat(store().streamVersion(id)).hasValue(40);
  }

  /**
   * The store wrote the command's events but the answer was lost (a connection reset while
   * committing, say): the handler resends the same events with the same ids, and the command takes
   * effect once — deciding again on the reloaded state would have added twice.
   */
  @Test
  default void aCommandWhoseAppendOutcomeIsUnknownTakesEffectOnce() {
    String id = stream("Tally");
    tallies().handle(id, new Open("visitors"));
    int[] lost = {1};
    EventStore losingAnswers = new ForwardingEventStore(store()) {
      @Override
      public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        AppendResult written = delegate.append(streamId, expected, events);
        if (lost[0]-- > 0) {
          throw new StorageException("The append's outcome is unknown: the connection was reset while committing (test)");
        }
        return written;
      }
    };
    CommandHandler<TallyCommand, Tally, TallyEvent> handler =
        CommandHandler.builder(losingAnswers, TallyDomain.CODEC, TallyDomain.DECIDER, Tally.class, TallyEvent.class).build();

    CommandResult<Tally, TallyEvent> added = handler.handle(id, new Add(5));

    assertThat(added.append().alreadyAppended()).isTrue();
    assertThat(added.state().total()).isEqualTo(5);
    assertThat(tallies().loader().load(id).state().total()).isEqualTo(5);
    assertThat(store().streamVersion(id)).hasValue(2);
  }

  /** When every resend fails too, the caller hears the first failure — the one that says what to do. */
  @Test
  default void aCommandWhoseResendsFailReportsTheFirstFailure() {
    String id = stream("Tally");
    tallies().handle(id, new Open("visitors"));
    int[] calls = {0};
    EventStore failing = new ForwardingEventStore(store()) {
      @Override
      public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
        calls[0]++;
        throw new StorageException(calls[0] == 1 ? "The append's outcome is unknown (test)" : "The store refuses further writes (test)");
      }
    };
    CommandHandler<TallyCommand, Tally, TallyEvent> handler =
        CommandHandler.builder(failing, TallyDomain.CODEC, TallyDomain.DECIDER, Tally.class, TallyEvent.class).build();

    assertThatThrownBy(() -> handler.handle(id, new Add(5))).isInstanceOf(StorageException.class)
        .hasMessageContaining("outcome is unknown").satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));
    assertThat(calls[0]).isEqualTo(3);
    assertThat(store().streamVersion(id)).hasValue(1);
  }

  @Test
  default void everyEventCarriesCorrelationCausationAndUser() {
    String id = stream("Tally");
    tallies().handle(id, new Open("x"), CommandContext.byUser("alice"));
    RecordedEvent opened = store().readStream(id, 1, 1).get(0);
    JsonNode first = Fixtures.tree(opened.metadata());
    assertThat(first.get("user_id").asText()).isEqualTo("alice");
    assertThat(first.get("correlation_id").asText()).isNotBlank();
    assertThat(first.get("timestamp").asText()).isNotBlank();

    // a command caused by that event continues its conversation
    tallies().handle(id, new Add(3), CommandContext.causedBy(opened));
    JsonNode second = Fixtures.tree(store().readStream(id, 2, 1).get(0).metadata());
    assertThat(second.get("correlation_id").asText()).isEqualTo(first.get("correlation_id").asText());
    assertThat(second.get("causation_id").asText()).isEqualTo(opened.eventId().toString());
    assertThat(second.get("user_id").asText()).isEqualTo("alice");
  }

  @Test
  default void eventsTheCodecCannotDecodeFailTheLoadInsteadOfBeingDropped() {
    String id = stream("Tally");
    store().append(id, ExpectedVersion.ANY, EventData.json("TallyRenamed", "{\"to\":\"y\"}"));
    assertThatThrownBy(() -> tallies().handle(id, new Add(1)))
        .isInstanceOf(io.factum.core.codec.UnknownEventTypeException.class)
        .hasMessageContaining("TallyRenamed");
    assertThat(store().streamVersion(id)).hasValue(1);
  }
}
