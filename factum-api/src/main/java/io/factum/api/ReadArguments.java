package io.factum.api;

/**
 * The argument rules of the read and subscribe methods, shared by every backend so they all reject
 * the same calls with the same {@link InvalidEventException}.
 */
public final class ReadArguments {

  private ReadArguments() {}

  /** Rules of {@link EventStore#readStream}: a valid stream id, {@code fromVersion >= 1}, {@code maxCount >= 1}. */
  public static void checkStreamRead(String streamId, long fromVersion, int maxCount) {
    StreamIds.requireValid(streamId);
    if (fromVersion < 1) {
      throw new InvalidEventException("fromVersion must be >= 1 (versions start at 1), got " + fromVersion);
    }
    checkMaxCount(maxCount);
  }

  /** Rules of {@link EventStore#readAll}: {@code afterPosition >= 0}, {@code maxCount >= 1}, a filter. */
  public static void checkAllRead(long afterPosition, int maxCount, EventFilter filter) {
    checkAfterPosition(afterPosition);
    checkMaxCount(maxCount);
    if (filter == null) {
      throw new InvalidEventException("Filter is missing; use EventFilter.ALL for every event");
    }
  }

  /** Rules of {@link EventStore#subscribeToAll}. */
  public static void checkSubscribeToAll(long afterPosition, EventFilter filter, EventHandler handler) {
    checkAllRead(afterPosition, 1, filter);
    checkHandler(handler);
  }

  /** Rules of {@link EventStore#subscribeToStream}. */
  public static void checkSubscribeToStream(String streamId, long fromVersion, EventHandler handler) {
    checkStreamRead(streamId, fromVersion, 1);
    checkHandler(handler);
  }

  /** Rules of {@link EventStore#streamVersion}: a valid stream id. */
  public static void checkStreamId(String streamId) {
    StreamIds.requireValid(streamId);
  }

  /** Rules of checkpoint names: 1-255 characters without control characters. */
  public static void checkCheckpointName(String name) {
    String problem = Names.problem(name);
    if (problem != null) {
      throw new InvalidEventException("Checkpoint name " + Names.quote(name) + " " + problem);
    }
  }

  /** Rules of {@link CheckpointStore#save}: a valid name and a position {@code >= 0}. */
  public static void checkCheckpoint(String name, long position) {
    checkCheckpointName(name);
    checkAfterPosition(position);
  }

  private static void checkAfterPosition(long afterPosition) {
    if (afterPosition < 0) {
      throw new InvalidEventException("afterPosition must be >= 0 (0 reads from the start), got " + afterPosition);
    }
  }

  private static void checkMaxCount(int maxCount) {
    if (maxCount < 1) {
      throw new InvalidEventException("maxCount must be >= 1, got " + maxCount);
    }
  }

  private static void checkHandler(EventHandler handler) {
    if (handler == null) {
      throw new InvalidEventException("Event handler is missing");
    }
  }
}
