package io.factum.core.subscription;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the subscription engine.
 *
 * @param pageSize events read per page in catch-up and live mode; bounds a subscription's memory to
 *     one page
 * @param pollInterval how long a live subscription waits for a "head moved" signal before it reads
 *     anyway; a safety net for backends whose notifications can be lost
 * @param closeTimeout how long {@link io.factum.api.Subscription#close()} waits for a running
 *     handler to return
 */
public record SubscriptionSettings(int pageSize, Duration pollInterval, Duration closeTimeout) {

  public static final SubscriptionSettings DEFAULT = new SubscriptionSettings(512, Duration.ofSeconds(1), Duration.ofSeconds(10));

  public SubscriptionSettings {
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be >= 1, got " + pageSize);
    }
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive");
    }
  }

  public SubscriptionSettings withPageSize(int size) {
    return new SubscriptionSettings(size, pollInterval, closeTimeout);
  }

  public SubscriptionSettings withPollInterval(Duration interval) {
    return new SubscriptionSettings(pageSize, interval, closeTimeout);
  }
}
