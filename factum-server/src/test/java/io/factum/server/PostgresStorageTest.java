package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code factum serve --storage postgres}: the server on a real PostgreSQL the test starts (fsync on). */
@Timeout(120)
class PostgresStorageTest {

  @Test
  void theServerServesAPostgresStoreChosenByConfiguration() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start()) {
      ServerConfig config = ServerConfig.resolve(Map.of("port", "0", "storage", "postgres", "pg-schema", "served"),
          Map.of("FACTUM_JDBC_URL", pg.getJdbcUrl("postgres", "postgres")));
      try (FactumServer server = FactumServer.open(config)) {
        Http http = new Http(server.uri());
        assertThat(http.post("/streams/Order-1", "{\"event_type\":\"OrderPlaced\",\"data\":{\"total\":42}}", "Expected-Version", "no_stream")
            .status()).isEqualTo(201);
        assertThat(http.post("/streams/Order-1", "{\"event_type\":\"X\",\"data\":{}}", "Expected-Version", "no_stream").status()).isEqualTo(409);
        assertThat(http.get("/streams/Order-1").json().path("events").get(0).path("data").path("total").asInt()).isEqualTo(42);
        assertThat(http.get("/info").json().path("storage").asText()).startsWith("postgres (jdbc:postgresql:");
        assertThat(http.get("/health/ready").status()).isEqualTo(200);
      }
      try (var c = pg.getPostgresDatabase().getConnection();
          var r = c.createStatement().executeQuery("SELECT stream_id, event_type FROM served.events ORDER BY global_position")) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1)).isEqualTo("Order-1");
        assertThat(r.getString(2)).isEqualTo("OrderPlaced");
        assertThat(r.next()).isFalse();
      }
    }
  }
}
