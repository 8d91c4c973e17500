package io.factum.api;

import java.util.Objects;

/**
 * What an append wrote: the versions and global positions of its first and last event.
 *
 * <p>Versions are consecutive within one append ({@code lastVersion - firstVersion + 1} events), and
 * so are positions. {@code alreadyAppended} is {@code true} when the call was recognised as a retry of
 * an earlier append (same event ids, same stream, same order): nothing new was written and the
 * versions and positions are those of the original write.
 */
public record AppendResult(
    String streamId, long firstVersion, long lastVersion, long firstPosition, long lastPosition, boolean alreadyAppended) {

  public AppendResult {
    Objects.requireNonNull(streamId, "streamId");
    if (firstVersion < 1 || lastVersion < firstVersion) {
      throw new IllegalArgumentException("versions must satisfy 1 <= first <= last, got " + firstVersion + ".." + lastVersion);
    }
    if (firstPosition < 1 || lastPosition < firstPosition) {
      throw new IllegalArgumentException("positions must satisfy 1 <= first <= last, got " + firstPosition + ".." + lastPosition);
    }
  }

  /** A fresh write (not a retry). */
  public static AppendResult written(String streamId, long firstVersion, long lastVersion, long firstPosition, long lastPosition) {
    return new AppendResult(streamId, firstVersion, lastVersion, firstPosition, lastPosition, false);
  }

  /** The number of events the append covers. */
  public int eventCount() {
    return (int) (lastVersion - firstVersion + 1);
  }

  /** The same result flagged as a recognised retry. */
  public AppendResult asRetry() {
    return new AppendResult(streamId, firstVersion, lastVersion, firstPosition, lastPosition, true);
  }
}
