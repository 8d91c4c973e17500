package io.factum.tck;

import io.factum.core.codec.JsonEventCodec;
import io.factum.core.command.AggregateRoot;
import io.factum.core.command.Decider;
import java.util.List;

/** A tiny domain for the toolkit contracts: a tally that counts additions and refuses to go negative. */
public final class TallyDomain {

  private TallyDomain() {}

  /** Commands. */
  public sealed interface TallyCommand permits Add, Open {}

  public record Add(int amount) implements TallyCommand {}

  public record Open(String label) implements TallyCommand {}

  /** Events. */
  public sealed interface TallyEvent permits Opened, Added {}

  public record Opened(String label) implements TallyEvent {}

  public record Added(int amount) implements TallyEvent {}

  /** State, as a record (the decider style). */
  public record Tally(String label, long total, int additions) {}

  public static final JsonEventCodec CODEC = JsonEventCodec.builder()
      .register(Opened.class, "TallyOpened", 1)
      .register(Added.class, "TallyAdded", 1)
      .build();

  /** The decider style. */
  public static final Decider<TallyCommand, Tally, TallyEvent> DECIDER = new Decider<>() {
    @Override
    public Tally initialState() {
      return new Tally(null, 0, 0);
    }

    @Override
    public List<TallyEvent> decide(TallyCommand command, Tally state) {
      if (command instanceof Open open) {
        return state.label() != null ? List.of() : List.of(new Opened(open.label()));
      }
      Add add = (Add) command;
      if (state.total() + add.amount() < 0) {
        throw new IllegalArgumentException("a tally cannot go below zero");
      }
      return add.amount() == 0 ? List.of() : List.of(new Added(add.amount()));
    }

    @Override
    public Tally evolve(Tally state, TallyEvent event) {
      if (event instanceof Opened o) {
        return new Tally(o.label(), state.total(), state.additions());
      }
      return new Tally(state.label(), state.total() + ((Added) event).amount(), state.additions() + 1);
    }
  };

  /** The aggregate-root style of the same domain. */
  public static final class TallyAggregate extends AggregateRoot<TallyEvent> {
    public long total;
    public int additions;

    public void add(int amount) {
      if (total + amount < 0) {
        throw new IllegalArgumentException("a tally cannot go below zero");
      }
      raise(new Added(amount));
    }

    @Override
    protected void apply(TallyEvent event) {
      if (event instanceof Added a) {
        total += a.amount();
        additions++;
      }
    }
  }
}
