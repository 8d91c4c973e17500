package io.factum.cli;

import io.factum.api.RecordedEvent;
import io.factum.client.FactumClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code factum read}: reads a stream. */
@Command(
    name = "read",
    mixinStandardHelpOptions = true,
    description = "Prints a stream's events: position, stream@version, type, data.",
    footer = {"", "Example:  factum read Order-1 --from 1 --limit 20", "          factum read Order-1 --backward --limit 1 --json"})
final class ReadCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ServerAddress server;

  @Parameters(index = "0", paramLabel = "STREAM", description = "The stream, e.g. Order-1.")
  String stream;

  @Option(names = "--from", paramLabel = "VERSION", description = "First version (default 1, or the last with --backward).")
  Long from;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most this many events (default 100).")
  int limit;

  @Option(names = "--backward", description = "Newest first.")
  boolean backward;

  @Option(names = "--json", description = "One JSON envelope per line.")
  boolean json;

  @Override
  public Integer call() {
    try (FactumClient client = server.connect()) {
      List<RecordedEvent> events = backward
          ? client.readStreamBackward(stream, from == null ? Long.MAX_VALUE : from, limit)
          : client.readStream(stream, from == null ? 1 : from, limit);
      if (events.isEmpty() && client.streamVersion(stream).isEmpty()) {
        spec.commandLine().getErr().println("factum: stream '" + stream + "' does not exist");
        return Factum.FAILED;
      }
      EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), json);
      events.forEach(printer::print);
    }
    return 0;
  }
}
