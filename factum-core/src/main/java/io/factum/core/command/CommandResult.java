package io.factum.core.command;

import io.factum.api.AppendResult;
import java.util.List;

/**
 * The outcome of a handled command.
 *
 * @param state the stream's state after the command's events
 * @param version the stream's version after them
 * @param events the events the command produced (empty: nothing to do)
 * @param append what was appended, or {@code null} when there were no events
 * @param attempts how many times the command was decided (more than 1 after concurrent changes)
 */
public record CommandResult<S, E>(String streamId, S state, long version, List<E> events, AppendResult append, int attempts) {

  public CommandResult {
    events = List.copyOf(events);
  }
}
