package io.factum.api;

/**
 * What an append expects of its stream before it writes: the optimistic concurrency check.
 *
 * <ul>
 *   <li>{@link #ANY}: no check.
 *   <li>{@link #NO_STREAM}: the stream must not exist yet (equivalent to {@code exactly(0)}).
 *   <li>{@link #STREAM_EXISTS}: the stream must have at least one event.
 *   <li>{@link #exactly(long) exactly(n)}: the stream's last version must be {@code n}.
 * </ul>
 *
 * <p>A mismatch raises {@link WrongExpectedVersionException} and writes nothing. Instances are
 * immutable values; {@link #toString()} and {@link #parse(String)} use the wire form {@code any},
 * {@code no_stream}, {@code stream_exists} or the decimal version.
 */
public final class ExpectedVersion {

  /** The four kinds of expectation. */
  public enum Kind {
    ANY,
    NO_STREAM,
    STREAM_EXISTS,
    EXACT
  }

  public static final ExpectedVersion ANY = new ExpectedVersion(Kind.ANY, -1);
  public static final ExpectedVersion NO_STREAM = new ExpectedVersion(Kind.NO_STREAM, 0);
  public static final ExpectedVersion STREAM_EXISTS = new ExpectedVersion(Kind.STREAM_EXISTS, -1);

  private final Kind kind;
  private final long version;

  private ExpectedVersion(Kind kind, long version) {
    this.kind = kind;
    this.version = version;
  }

  /**
   * The stream's last version must be exactly {@code version}; {@code exactly(0)} is {@link
   * #NO_STREAM}.
   *
   * @throws InvalidEventException if {@code version} is negative
   */
  public static ExpectedVersion exactly(long version) {
    if (version < 0) {
      throw new InvalidEventException("Expected version must be >= 0 (0 means no stream), got " + version);
    }
    return version == 0 ? NO_STREAM : new ExpectedVersion(Kind.EXACT, version);
  }

  /**
   * Parses the wire form: {@code any}, {@code no_stream}, {@code stream_exists} (case-insensitive) or
   * a non-negative decimal version.
   *
   * @throws InvalidEventException if the text is none of these
   */
  public static ExpectedVersion parse(String text) {
    if (text == null) {
      throw new InvalidEventException("Expected version is missing; use any, no_stream, stream_exists or a version >= 0");
    }
    String t = text.trim();
    switch (t.toLowerCase(java.util.Locale.ROOT)) {
      case "any":
        return ANY;
      case "no_stream":
        return NO_STREAM;
      case "stream_exists":
        return STREAM_EXISTS;
      default:
        break;
    }
    long n;
    try {
      n = Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new InvalidEventException("Expected version '" + text
          + "' is not valid; use any, no_stream, stream_exists or a version >= 0");
    }
    return exactly(n);
  }

  public Kind kind() {
    return kind;
  }

  /** The exact version for {@link Kind#EXACT}, {@code 0} for {@link Kind#NO_STREAM}, {@code -1} otherwise. */
  public long version() {
    return version;
  }

  /**
   * Whether a stream whose last version is {@code currentVersion} ({@code 0} when it does not exist)
   * satisfies this expectation.
   */
  public boolean isSatisfiedBy(long currentVersion) {
    switch (kind) {
      case ANY:
        return true;
      case NO_STREAM:
        return currentVersion == 0;
      case STREAM_EXISTS:
        return currentVersion > 0;
      default:
        return currentVersion == version;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExpectedVersion && ((ExpectedVersion) o).kind == kind && ((ExpectedVersion) o).version == version;
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Long.hashCode(version);
  }

  @Override
  public String toString() {
    switch (kind) {
      case ANY:
        return "any";
      case NO_STREAM:
        return "no_stream";
      case STREAM_EXISTS:
        return "stream_exists";
      default:
        return Long.toString(version);
    }
  }
}
