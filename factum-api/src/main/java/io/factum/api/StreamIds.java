package io.factum.api;

/**
 * The rules for stream ids.
 *
 * <p>A stream id is 1–255 characters (Unicode code points), not blank, without control characters.
 * By convention it reads {@code {Category}-{id}} ({@code Order-abc123}): the category is the text
 * before the first {@code '-'}, or the whole id when it has none. Ids starting with {@code '$'} are
 * reserved for the system: they can be read but not appended to.
 */
public final class StreamIds {

  private StreamIds() {}

  /**
   * Checks that {@code streamId} is a well-formed stream id.
   *
   * @throws InvalidEventException naming the rule it breaks
   */
  public static String requireValid(String streamId) {
    String problem = Names.problem(streamId);
    if (problem != null) {
      throw new InvalidEventException("Stream id " + Names.quote(streamId) + " " + problem
          + "; a stream id is 1-255 characters without control characters, e.g. 'Order-abc123'");
    }
    return streamId;
  }

  /**
   * Checks that {@code streamId} is well-formed and may be appended to (not reserved).
   *
   * @throws InvalidEventException naming the rule it breaks
   */
  public static String requireWritable(String streamId) {
    requireValid(streamId);
    if (isReserved(streamId)) {
      throw new InvalidEventException("Stream id " + Names.quote(streamId)
          + " starts with '$', which is reserved for system streams; choose an id such as 'Order-abc123'");
    }
    return streamId;
  }

  /** Whether {@code streamId} is reserved for the system (starts with {@code '$'}). */
  public static boolean isReserved(String streamId) {
    return streamId.startsWith("$");
  }

  /** The category of a stream: the text before the first {@code '-'}, or the whole id. */
  public static String categoryOf(String streamId) {
    int dash = streamId.indexOf('-');
    return dash < 0 ? streamId : streamId.substring(0, dash);
  }
}
