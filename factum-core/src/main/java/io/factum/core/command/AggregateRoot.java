package io.factum.core.command;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The classic aggregate-root style: a mutable object whose command methods check invariants and
 * {@link #raise} events, and whose {@link #apply} changes its fields. {@link #decider} adapts it to
 * a {@link Decider}, so one {@link CommandHandler} serves both styles.
 *
 * <pre>{@code
 * class Order extends AggregateRoot<OrderEvent> {
 *   void place(PlaceOrder c) { if (placed) throw new IllegalStateException("already placed"); raise(new OrderPlaced(...)); }
 *   protected void apply(OrderEvent e) { if (e instanceof OrderPlaced) placed = true; }
 * }
 * Decider<PlaceOrder, Order, OrderEvent> d = AggregateRoot.decider(Order::new, Order::place);
 * }</pre>
 *
 * @param <E> the aggregate's events
 */
public abstract class AggregateRoot<E> {

  private final List<E> changes = new ArrayList<>();
  /** Events {@code decide} raised (so already applied) that the handler will hand to {@code evolve}. */
  private final List<E> appliedAhead = new ArrayList<>();

  /** Applies a new event to this aggregate and records it as a change to append. */
  protected final void raise(E event) {
    apply(event);
    changes.add(event);
  }

  /** Changes this aggregate's state by one event (new or replayed). */
  protected abstract void apply(E event);

  final List<E> takeChanges() {
    List<E> out = List.copyOf(changes);
    changes.clear();
    return out;
  }

  final void beginCommand() {
    changes.clear();
    appliedAhead.clear();
  }

  /** The events the command raised; raise() applied them, so evolve must not apply them twice. */
  final List<E> endCommand() {
    List<E> raised = takeChanges();
    appliedAhead.addAll(raised);
    return raised;
  }

  /** Applies {@code event} unless it is the next one {@code decide} raised and thus applied already. */
  final void evolveWith(E event) {
    if (!appliedAhead.isEmpty() && appliedAhead.get(0) == event) {
      appliedAhead.remove(0);
      return;
    }
    apply(event);
  }

  /**
   * A decider over aggregate instances: a fresh one from {@code factory}, commands run by {@code
   * handle} (which raises events), events replayed through {@link #apply}.
   */
  public static <A extends AggregateRoot<E>, C, E> Decider<C, A, E> decider(Supplier<A> factory, BiConsumer<A, C> handle) {
    return new Decider<>() {
      @Override
      public A initialState() {
        return factory.get();
      }

      @Override
      public List<E> decide(C command, A aggregate) {
        aggregate.beginCommand();
        handle.accept(aggregate, command);
        return aggregate.endCommand();
      }

      @Override
      public A evolve(A aggregate, E event) {
        aggregate.evolveWith(event);
        return aggregate;
      }
    };
  }
}
