package io.factum.core.command;

import java.util.List;

/**
 * An aggregate as three pure functions: where a stream's state starts, which events a command
 * produces given the state, and how an event changes the state. {@code decide} validates the command
 * and throws (any exception) to reject it; it must not have side effects, because a command can be
 * decided again after a concurrent change.
 *
 * @param <C> commands
 * @param <S> state (immutable, ideally a record)
 * @param <E> events
 */
public interface Decider<C, S, E> {

  S initialState();

  List<? extends E> decide(C command, S state);

  S evolve(S state, E event);
}
