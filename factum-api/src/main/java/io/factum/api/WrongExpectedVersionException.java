package io.factum.api;

/**
 * An append's {@link ExpectedVersion} did not match the stream's current version. Nothing was
 * written.
 *
 * <p>The usual reaction is to reload the stream (from {@link #actualVersion()} on), decide again and
 * retry with the new version as the expected one.
 */
public final class WrongExpectedVersionException extends FactumException {

  private final String streamId;
  private final ExpectedVersion expected;
  private final long actualVersion;

  /**
   * @param actualVersion the stream's current version, or {@code -1} when the stream does not exist
   */
  public WrongExpectedVersionException(String streamId, ExpectedVersion expected, long actualVersion) {
    super("Wrong expected version for stream '" + streamId + "': expected " + expected
        + " but the stream " + (actualVersion < 0 ? "does not exist" : "is at version " + actualVersion)
        + ". Reload the stream, decide again and retry.");
    this.streamId = streamId;
    this.expected = expected;
    this.actualVersion = actualVersion;
  }

  public String streamId() {
    return streamId;
  }

  public ExpectedVersion expected() {
    return expected;
  }

  /** The stream's version when the append was checked; {@code -1} when the stream does not exist. */
  public long actualVersion() {
    return actualVersion;
  }
}
