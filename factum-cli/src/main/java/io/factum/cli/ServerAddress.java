package io.factum.cli;

import io.factum.client.FactumClient;
import picocli.CommandLine.Option;

/** The {@code --url} option of commands that talk to a running server. */
final class ServerAddress {

  @Option(names = "--url", paramLabel = "URL",
      description = "The Factum server (default: $FACTUM_URL, else http://localhost:2113).")
  String url;

  String url() {
    if (url != null) {
      return url;
    }
    String env = System.getenv("FACTUM_URL");
    return env != null && !env.isBlank() ? env : "http://localhost:2113";
  }

  FactumClient connect() {
    return FactumClient.connect(url());
  }
}
