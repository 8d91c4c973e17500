package io.factum.postgres;

import io.factum.api.StorageException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Factum's tables in one PostgreSQL schema, versioned by Flyway in its own history table ({@code
 * factum_schema_history}, so an application's own Flyway history is not touched). A database whose
 * Factum schema is newer than this build is refused with a message saying to upgrade.
 */
final class Schema {

  /** The newest schema version this build knows (the highest V<n>__ migration). */
  static final int CURRENT = 3;
  static final String HISTORY = "factum_schema_history";

  private Schema() {}

  /**
   * Refuses connections whose settings break Factum's guarantees: with {@code synchronous_commit}
   * off, an acknowledged append is visible before it is durable, and a crash can lose it and hand its
   * positions to later events (a subscriber that saw them would skip those); under repeatable read or
   * serializable, appenders of several JVMs fail on the head lock instead of waiting for it.
   */
  static void requireSafeSettings(DataSource dataSource) {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT current_setting('synchronous_commit'), current_setting('transaction_isolation')")) {
      r.next();
      String sync = r.getString(1);
      String isolation = r.getString(2);
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      if (sync.equals("off")) {
        throw new StorageException("This database connection has synchronous_commit = off: an acknowledged append could be lost"
            + " in a crash after subscribers saw it. Turn it on for Factum's role or database (ALTER ROLE … SET synchronous_commit = on),"
            + " or in the pool's connection-init SQL.");
      }
      if (!isolation.equals("read committed")) {
        throw new StorageException("This database connection uses transaction isolation '" + isolation + "'; Factum's appends need"
            + " read committed (set the pool's transaction isolation, or ALTER ROLE … SET default_transaction_isolation = 'read committed').");
      }
    } catch (SQLException e) {
      throw Errors.unreachable("check the database's settings", e);
    }
  }

  static void prepare(DataSource dataSource, PostgresOptions options) {
    requireSafeSettings(dataSource);
    int installed = installedVersion(dataSource, options.schema());
    if (installed > CURRENT) {
      throw new StorageException("The Factum tables in schema '" + options.schema() + "' are at schema version " + installed
          + ", newer than this Factum understands (" + CURRENT + "). Upgrade Factum to use this database.");
    }
    if (!options.migrate()) {
      if (installed < CURRENT) {
        throw new StorageException("The Factum tables in schema '" + options.schema() + "' are at schema version " + installed
            + " and this Factum needs " + CURRENT + ", but migrations are switched off. Apply them (or enable migrate).");
      }
      return;
    }
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .schemas(options.schema())
          .table(HISTORY)
          .locations("classpath:io/factum/postgres/migration")
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new StorageException("Migrating the Factum tables in schema '" + options.schema() + "' failed: " + e.getMessage(), e);
    }
  }

  /** The highest applied Factum migration in {@code schema}, 0 if none. */
  static int installedVersion(DataSource dataSource, String schema) {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("SELECT to_regclass('\"" + schema + "\"." + HISTORY + "') IS NOT NULL")) {
        r.next();
        if (!r.getBoolean(1)) {
          return 0;
        }
      }
      try (ResultSet r = s.executeQuery("SELECT COALESCE(MAX(CAST(version AS INT)), 0) FROM \"" + schema + "\"." + HISTORY
          + " WHERE success AND version ~ '^[0-9]+$'")) {
        r.next();
        return r.getInt(1);
      }
    } catch (SQLException e) {
      throw Errors.unreachable("read the Factum schema version", e);
    }
  }
}
