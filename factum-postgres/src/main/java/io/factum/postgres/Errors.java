package io.factum.postgres;

import io.factum.api.StorageException;
import java.sql.SQLException;

/** Turns SQL failures into {@link StorageException}s that say what happened and what to do. */
final class Errors {

  private Errors() {}

  static StorageException unreachable(String action, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    // 08: connection exceptions; 57P01-57P03: the server is shutting down or not accepting connections
    if (state.startsWith("08") || state.startsWith("57P0") || e instanceof java.sql.SQLTransientConnectionException) {
      return new StorageException("Could not " + action + ": PostgreSQL is unreachable (" + e.getMessage()
          + "). Check that the database is running and reachable; Factum reconnects by itself when it is back.", e);
    }
    return new StorageException("Could not " + action + ": " + e.getMessage() + " (SQL state " + state + ")", e);
  }
}
