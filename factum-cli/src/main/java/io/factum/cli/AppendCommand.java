package io.factum.cli;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.client.FactumClient;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code factum append}: appends one event. */
@Command(
    name = "append",
    mixinStandardHelpOptions = true,
    description = "Appends one event to a stream and prints where it landed.",
    footer = {"", "Example:  factum append Order-1 --type OrderPlaced --data '{\"total\":42}' --expected-version no_stream"})
final class AppendCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ServerAddress server;

  @Parameters(index = "0", paramLabel = "STREAM", description = "The stream, e.g. Order-1.")
  String stream;

  @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The event type, e.g. OrderPlaced.")
  String type;

  @Option(names = "--data", required = true, paramLabel = "JSON", description = "The event's data, a JSON value.")
  String data;

  @Option(names = "--metadata", paramLabel = "JSON", description = "Metadata, a JSON object (correlation_id, user_id, ...).")
  String metadata;

  @Option(names = "--expected-version", paramLabel = "V", defaultValue = "any",
      description = "any (default), no_stream, stream_exists or a version number.")
  String expectedVersion;

  @Option(names = "--schema-version", paramLabel = "N", defaultValue = "1", description = "The schema version of the data (default 1).")
  int schemaVersion;

  @Option(names = "--id", paramLabel = "UUID", description = "The event id; resending the same id is idempotent.")
  UUID id;

  @Override
  public Integer call() {
    EventData event = EventData.json(type, data).withSchemaVersion(schemaVersion);
    if (metadata != null) {
      event = event.withMetadata(metadata);
    }
    if (id != null) {
      event = event.withId(id);
    }
    ExpectedVersion expected = ExpectedVersion.parse(expectedVersion);
    try (FactumClient client = server.connect()) {
      AppendResult r = client.append(stream, expected, event);
      spec.commandLine().getOut().printf("%s %s@%d at position %d%n", r.alreadyAppended() ? "already appended:" : "appended:",
          r.streamId(), r.lastVersion(), r.lastPosition());
    }
    return 0;
  }
}
