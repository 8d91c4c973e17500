package io.factum.embedded;

import io.factum.api.StoreLimits;
import io.factum.core.subscription.SubscriptionSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link EmbeddedEventStore}. Immutable; start from {@link #DEFAULT} and change what
 * you need with the {@code with…} methods.
 *
 * @param limits size limits of events and appends
 * @param subscriptions page size and polling of subscriptions
 * @param segmentSizeBits log segment size as a power of two (default 26: 64 MiB); only used when the
 *     store is created, later opens keep the size it was created with
 * @param checkpointInterval how often the indexes are made durable (default 60 s); they are also made
 *     durable every {@value #CHECKPOINT_EVERY_EVENTS} events, which bounds the log replayed after a
 *     crash to a few seconds. Flushing the index competes with the log's syncs (measured: 12-15%
 *     fewer batched appends with a 10 s interval), hence not more often.
 * @param streamCacheSize streams whose version the writer keeps in memory (default 100,000)
 */
public record EmbeddedOptions(
    StoreLimits limits, SubscriptionSettings subscriptions, int segmentSizeBits, Duration checkpointInterval, int streamCacheSize) {

  /** Events after which the indexes are checkpointed whatever the interval. */
  public static final long CHECKPOINT_EVERY_EVENTS = 2_000_000;

  public static final EmbeddedOptions DEFAULT =
      new EmbeddedOptions(StoreLimits.DEFAULT, SubscriptionSettings.DEFAULT, 26, Duration.ofSeconds(60), 100_000);

  public EmbeddedOptions {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(subscriptions, "subscriptions");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    if (segmentSizeBits < 16 || segmentSizeBits > 30) {
      throw new IllegalArgumentException("segmentSizeBits must be between 16 (64 KiB) and 30 (1 GiB), got " + segmentSizeBits);
    }
    if (checkpointInterval.compareTo(Duration.ofMillis(1)) < 0 || checkpointInterval.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException("checkpointInterval must be between 1 ms and 365 days, got " + checkpointInterval
          + " (indexes are also checkpointed every " + CHECKPOINT_EVERY_EVENTS + " events and on close)");
    }
    if (streamCacheSize < 1) {
      throw new IllegalArgumentException("streamCacheSize must be >= 1");
    }
  }

  public EmbeddedOptions withLimits(StoreLimits value) {
    return new EmbeddedOptions(value, subscriptions, segmentSizeBits, checkpointInterval, streamCacheSize);
  }

  public EmbeddedOptions withSubscriptions(SubscriptionSettings value) {
    return new EmbeddedOptions(limits, value, segmentSizeBits, checkpointInterval, streamCacheSize);
  }

  public EmbeddedOptions withSegmentSizeBits(int value) {
    return new EmbeddedOptions(limits, subscriptions, value, checkpointInterval, streamCacheSize);
  }

  public EmbeddedOptions withCheckpointInterval(Duration value) {
    return new EmbeddedOptions(limits, subscriptions, segmentSizeBits, value, streamCacheSize);
  }

  public EmbeddedOptions withStreamCacheSize(int value) {
    return new EmbeddedOptions(limits, subscriptions, segmentSizeBits, checkpointInterval, value);
  }
}
