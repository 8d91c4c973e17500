package io.factum.postgres;

import io.factum.api.EventStore;
import io.factum.tck.DurableStoreTck;
import java.util.concurrent.atomic.AtomicInteger;

/** The whole contract, durability included, against a real PostgreSQL: each test in a fresh schema. */
class PostgresEventStoreTckTest extends DurableStoreTck {

  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private String schema;

  @Override
  protected EventStore createStore() {
    schema = "tck_" + SCHEMAS.incrementAndGet();
    return open();
  }

  @Override
  protected EventStore reopenStore() {
    return open();
  }

  private EventStore open() {
    return PostgresEventStore.connect(PostgresTestDatabase.jdbcUrl(), "postgres", null,
        PostgresOptions.DEFAULT.withSchema(schema).withMaxPoolSize(8));
  }
}
