package io.factum.core.command;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.StorageException;
import io.factum.api.StoreClosedException;
import io.factum.api.StreamIds;
import io.factum.api.WrongExpectedVersionException;
import io.factum.core.AnsweringThreads;
import io.factum.core.UuidV7;
import io.factum.core.codec.JsonEventCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs commands against streams: load the state (snapshot + tail), decide, append the events with
 * the loaded version as the expected version, and — when another writer got there first — reload
 * and decide again, up to {@code maxAttempts} times. Every event carries the command's {@link
 * CommandContext} as metadata and an id of its own, so that an append whose outcome is unknown (a
 * {@link StorageException}) is resent as it was and takes effect once. A rejected command (an
 * exception from {@code decide}) is not retried.
 * Thread-safe: commands to one stream through one handler run one at a time, in arrival order, so
 * they never race each other; retries are for writers this handler cannot see (other handlers, other
 * processes). The stream's lock is held while deciding, so a {@code decide} must not wait for a
 * command of another stream of the same handler (two such commands waiting for each other would
 * deadlock); {@code handle} is refused on a store's writer or completion thread.
 *
 * <pre>{@code
 * CommandHandler<OrderCommand, OrderState, OrderEvent> orders =
 *     CommandHandler.builder(store, codec, new OrderDecider(), OrderState.class, OrderEvent.class)
 *         .snapshots(SnapshotPolicy.everyEvents("Order", 1, 50))
 *         .build();
 * orders.handle("Order-42", new PlaceOrder(...), CommandContext.byUser("alice"));
 * }</pre>
 */
public final class CommandHandler<C, S, E> {

  private static final int UNKNOWN_OUTCOME_TRIES = 3;

  private final EventStore store;
  private final JsonEventCodec codec;
  private final Decider<C, S, E> decider;
  private final AggregateLoader<S, E> loader;
  private final int maxAttempts;
  private final KeyedLocks streams = new KeyedLocks();

  private CommandHandler(Builder<C, S, E> b) {
    this.store = b.store;
    this.codec = b.codec;
    this.decider = b.decider;
    this.loader = new AggregateLoader<>(b.store, b.codec, b.decider, b.stateType, b.eventType, b.snapshots);
    this.maxAttempts = b.maxAttempts;
  }

  public static <C, S, E> Builder<C, S, E> builder(EventStore store, JsonEventCodec codec, Decider<C, S, E> decider,
      Class<S> stateType, Class<E> eventType) {
    return new Builder<>(store, codec, decider, stateType, eventType);
  }

  /** The loader this handler uses (the same snapshots and codec), to read a stream's state. */
  public AggregateLoader<S, E> loader() {
    return loader;
  }

  public CommandResult<S, E> handle(String streamId, C command) {
    return handle(streamId, command, CommandContext.none());
  }

  /**
   * Handles {@code command} on {@code streamId}.
   *
   * @throws WrongExpectedVersionException if other writers won {@code maxAttempts} times in a row
   * @throws RuntimeException whatever {@code decide} threw to reject the command
   */
  public CommandResult<S, E> handle(String streamId, C command, CommandContext context) {
    Objects.requireNonNull(command, "command");
    StreamIds.requireWritable(streamId);
    if (AnsweringThreads.isAny()) {
      // the commands of this stream may be waiting for this very thread to answer their appends
      throw new IllegalStateException("handle() was called on a store's writer or completion thread (in a callback of an"
          + " appendAsync future); run commands elsewhere, e.g. with future.thenRunAsync(..., executor).");
    }
    CommandContext ctx = context.correlationId() != null ? context
        : context.withCorrelation(UuidV7.next().toString()); // one conversation across retries
    try (KeyedLocks.Held ignored = streams.lock(streamId)) {
      return decideAndAppend(streamId, command, ctx);
    }
  }

  private CommandResult<S, E> decideAndAppend(String streamId, C command, CommandContext ctx) {
    for (int attempt = 1; ; attempt++) {
      AggregateLoader.Loaded<S> loaded = loader.load(streamId);
      List<? extends E> events = decider.decide(command, loaded.state());
      if (events.isEmpty()) {
        return new CommandResult<>(streamId, loaded.state(), loaded.version(), List.of(), null, attempt);
      }
      String metadata = ctx.metadataJson(Instant.now());
      List<EventData> data = new ArrayList<>(events.size());
      for (E e : events) {
        data.add(codec.encode(e).withMetadata(metadata).withId(UuidV7.next())); // ids make a resend safe
      }
      ExpectedVersion expected = loaded.version() == 0 ? ExpectedVersion.NO_STREAM : ExpectedVersion.exactly(loaded.version());
      AppendResult appended;
      try {
        appended = appendResolvingUnknownOutcome(streamId, expected, data);
      } catch (WrongExpectedVersionException conflict) {
        if (attempt >= maxAttempts) {
          throw conflict;
        }
        backOff(attempt);
        continue;
      }
      S state = loaded.state();
      for (E e : events) {
        state = decider.evolve(state, e);
      }
      loader.appended(streamId, state, appended.lastVersion(), loaded.snapshotVersion());
      return new CommandResult<>(streamId, state, appended.lastVersion(), List.copyOf(events), appended, attempt);
    }
  }

  /**
   * Appends {@code data}; when the outcome is unknown — a {@link StorageException}: the store may have
   * written the events before failing — sends the identical append again, same ids and expected
   * version, up to {@value #UNKNOWN_OUTCOME_TRIES} times in all. The store answers a resend of written
   * events as already appended, so the command takes effect once, never twice (deciding again on the
   * reloaded state would apply it a second time).
   */
  private AppendResult appendResolvingUnknownOutcome(String streamId, ExpectedVersion expected, List<EventData> data) {
    StorageException first;
    try {
      return store.append(streamId, expected, data);
    } catch (StorageException unknown) {
      first = unknown;
    }
    for (int tries = 2; tries <= UNKNOWN_OUTCOME_TRIES; tries++) {
      backOff(tries + 2); // 8 ms, 16 ms: give a connection or a disk a moment
      try {
        return store.append(streamId, expected, data);
      } catch (StorageException | StoreClosedException again) {
        // The first failure says what the caller must know (the outcome may be unknown); a store that
        // refuses writes since, or was closed, does not change that.
        first.addSuppressed(again);
        if (again instanceof StoreClosedException) {
          break;
        }
      }
    }
    throw first;
  }

  /**
   * Exponential backoff with full jitter: a random pause up to 1 ms × 2^(attempt-1), at most 100 ms.
   * Handlers that lost a race spread out in time, so they stop arriving in the same commit group
   * (on a group-committing store, racers that retry at once collide again round after round).
   */
  private static void backOff(int attempt) {
    long maxMicros = Math.min(100_000L, 1000L << Math.min(attempt - 1, 20));
    long micros = ThreadLocalRandom.current().nextLong(maxMicros + 1);
    try {
      Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builds a {@link CommandHandler}. */
  public static final class Builder<C, S, E> {
    private final EventStore store;
    private final JsonEventCodec codec;
    private final Decider<C, S, E> decider;
    private final Class<S> stateType;
    private final Class<E> eventType;
    private SnapshotPolicy snapshots = SnapshotPolicy.NONE;
    private int maxAttempts = 20;

    private Builder(EventStore store, JsonEventCodec codec, Decider<C, S, E> decider, Class<S> stateType, Class<E> eventType) {
      this.store = Objects.requireNonNull(store);
      this.codec = Objects.requireNonNull(codec);
      this.decider = Objects.requireNonNull(decider);
      this.stateType = Objects.requireNonNull(stateType);
      this.eventType = Objects.requireNonNull(eventType);
    }

    public Builder<C, S, E> snapshots(SnapshotPolicy policy) {
      this.snapshots = Objects.requireNonNull(policy);
      return this;
    }

    /** How many times a command is decided before a conflict is given up (default 20). */
    public Builder<C, S, E> maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1");
      }
      this.maxAttempts = attempts;
      return this;
    }

    public CommandHandler<C, S, E> build() {
      return new CommandHandler<>(this);
    }
  }
}
