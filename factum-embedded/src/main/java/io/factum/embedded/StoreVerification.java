package io.factum.embedded;

import java.util.List;
import java.util.Objects;

/**
 * What {@link EmbeddedEventStore#verify} found in a store's log: every record's checksum, positions
 * dense from 1, every stream's versions following on. Nothing is changed by verifying.
 *
 * @param events the events in the log up to its verified end
 * @param batches the appends (batches) they were written in
 * @param streams the distinct streams
 * @param segments the segment files
 * @param tornTailAt the log offset where an unacknowledged torn tail starts (opening the store erases
 *     it), or -1 when the log ends cleanly
 * @param problems corruption found, each naming its position, file and offset; empty when intact
 */
public record StoreVerification(long events, long batches, long streams, int segments, long tornTailAt, List<String> problems) {

  public StoreVerification {
    Objects.requireNonNull(problems, "problems");
    problems = List.copyOf(problems);
  }

  /** No corruption: the store opens with every event here (a torn tail, if any, is erased on open). */
  public boolean intact() {
    return problems.isEmpty();
  }
}
