package io.factum.postgres;

import io.factum.api.StoreLimits;
import io.factum.core.subscription.SubscriptionSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a {@link PostgresEventStore}. Immutable; start from {@link #DEFAULT}.
 *
 * @param schema the PostgreSQL schema holding Factum's tables (default {@code public}, so the guide's
 *     own SQL finds {@code events} unqualified)
 * @param migrate apply Factum's migrations (Flyway) on start; off when a DBA applies them
 * @param limits size limits of events and appends
 * @param subscriptions page size and polling; the poll interval is the fallback when a notification
 *     is lost (default 500 ms)
 * @param maxPoolSize connections of the pool {@link PostgresEventStore#connect} creates
 */
public record PostgresOptions(String schema, boolean migrate, StoreLimits limits, SubscriptionSettings subscriptions, int maxPoolSize) {

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public static final PostgresOptions DEFAULT = new PostgresOptions("public", true, StoreLimits.DEFAULT,
      SubscriptionSettings.DEFAULT.withPollInterval(Duration.ofMillis(500)), 10);

  public PostgresOptions {
    Objects.requireNonNull(schema, "schema");
    if (!IDENTIFIER.matcher(schema).matches()) {
      throw new IllegalArgumentException("Schema name '" + schema + "' must be a lower-case SQL identifier: letters, digits and _, "
          + "not starting with a digit, at most 63 characters");
    }
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(subscriptions, "subscriptions");
    if (maxPoolSize < 2) {
      throw new IllegalArgumentException("maxPoolSize must be >= 2 (one connection listens for notifications)");
    }
  }

  public PostgresOptions withSchema(String value) {
    return new PostgresOptions(value, migrate, limits, subscriptions, maxPoolSize);
  }

  public PostgresOptions withMigrate(boolean value) {
    return new PostgresOptions(schema, value, limits, subscriptions, maxPoolSize);
  }

  public PostgresOptions withLimits(StoreLimits value) {
    return new PostgresOptions(schema, migrate, value, subscriptions, maxPoolSize);
  }

  public PostgresOptions withSubscriptions(SubscriptionSettings value) {
    return new PostgresOptions(schema, migrate, limits, value, maxPoolSize);
  }

  public PostgresOptions withMaxPoolSize(int value) {
    return new PostgresOptions(schema, migrate, limits, subscriptions, value);
  }
}
