package io.factum.api;

/**
 * Size limits a store enforces on appends. An event is measured as data plus metadata bytes; an
 * append as the sum of its events. Exceeding either limit raises {@link InvalidEventException} and
 * writes nothing.
 *
 * @param maxEventBytes largest single event, default 1 MiB
 * @param maxAppendBytes largest append (all its events together), default 16 MiB
 */
public record StoreLimits(int maxEventBytes, int maxAppendBytes) {

  /** 1 MiB per event, 16 MiB per append. */
  public static final StoreLimits DEFAULT = new StoreLimits(1 << 20, 16 << 20);

  public StoreLimits {
    if (maxEventBytes < 1) {
      throw new IllegalArgumentException("maxEventBytes must be >= 1, got " + maxEventBytes);
    }
    if (maxAppendBytes < maxEventBytes) {
      throw new IllegalArgumentException("maxAppendBytes (" + maxAppendBytes + ") must be >= maxEventBytes (" + maxEventBytes + ")");
    }
  }
}
