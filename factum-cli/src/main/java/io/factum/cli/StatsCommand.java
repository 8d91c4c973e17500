package io.factum.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.client.FactumClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code factum stats}: what the server holds. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = "Prints the server's statistics: events, streams, event types, categories, live subscribers, projections.")
final class StatsCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ServerAddress server;

  private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(30);

  @Option(names = "--json", description = "The raw JSON of GET /stats.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    try (FactumClient client = server.connect()) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
      URI base = client.uri();
      String stats = get(http, base.resolve("stats"));
      if (json) {
        spec.commandLine().getOut().println(stats);
        return 0;
      }
      String projections = get(http, base.resolve("projections"));
      ObjectMapper mapper = new ObjectMapper();
      JsonNode s = mapper.readTree(stats);
      var out = spec.commandLine().getOut();
      out.printf("server        %s%n", base);
      out.printf("storage       %s%n", s.path("storage").asText());
      out.printf("events        %d (head position)%n", s.path("head_position").asLong());
      out.printf("streams       %d%n", s.path("stream_count").asLong());
      out.printf("live streams  %d (SSE subscribers)%n", s.path("live_streams").asLong());
      out.printf("uptime        %d s%n", s.path("uptime_seconds").asLong());
      table(out, "event types", s.path("event_types"));
      table(out, "categories", s.path("categories"));
      out.println("projections");
      for (JsonNode p : mapper.readTree(projections).path("projections")) {
        out.printf("  %-24s %-8s position %d, lag %d%s%n", p.path("name").asText(), p.path("state").asText(), p.path("position").asLong(),
            p.path("lag").asLong(), p.path("last_error").isNull() ? "" : ", error: " + p.path("last_error").asText());
      }
      for (JsonNode c : mapper.readTree(projections).path("subscriptions")) {
        out.printf("  %-24s %-8s position %d, lag %d%n", c.path("name").asText(), "checkpt", c.path("position").asLong(), c.path("lag").asLong());
      }
    }
    return 0;
  }

  /** The body of a {@code GET} answered 200; anything else is an error that says what the server said. */
  private static String get(HttpClient http, URI uri) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new io.factum.api.StorageException("GET " + uri + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static void table(java.io.PrintWriter out, String title, JsonNode counts) {
    out.println(title);
    for (Map.Entry<String, JsonNode> e : counts.properties()) {
      out.printf("  %-24s %d%n", e.getKey(), e.getValue().asLong());
    }
  }
}
