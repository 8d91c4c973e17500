package io.factum.cli;

import io.factum.api.EventFilter;
import io.factum.api.RecordedEvent;
import io.factum.client.FactumClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code factum read-all}: reads {@code $all} in global order. */
@Command(
    name = "read-all",
    mixinStandardHelpOptions = true,
    description = "Prints events of all streams in global order, optionally filtered.",
    footer = {"", "Example:  factum read-all --after 100 --category Order --limit 50"})
final class ReadAllCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ServerAddress server;

  @Mixin
  Filters filters;

  @Option(names = "--after", paramLabel = "POSITION", defaultValue = "0", description = "Start after this global position (default 0).")
  long after;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most this many events (default 100).")
  int limit;

  @Option(names = "--json", description = "One JSON envelope per line.")
  boolean json;

  @Override
  public Integer call() {
    try (FactumClient client = server.connect()) {
      List<RecordedEvent> events = client.readAll(after, limit, filters.filter());
      EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), json);
      events.forEach(printer::print);
    }
    return 0;
  }

  /** {@code --category}, {@code --event-type}, {@code --stream-prefix}, each repeatable. */
  static final class Filters {
    @Option(names = "--category", paramLabel = "C", description = "Only this category (repeatable).")
    List<String> categories = List.of();

    @Option(names = "--event-type", paramLabel = "T", description = "Only this event type (repeatable).")
    List<String> eventTypes = List.of();

    @Option(names = "--stream-prefix", paramLabel = "P", description = "Only streams starting with this (repeatable).")
    List<String> prefixes = List.of();

    EventFilter filter() {
      return EventFilter.ALL.withCategories(categories.toArray(String[]::new))
          .withEventTypes(eventTypes.toArray(String[]::new))
          .withStreamPrefixes(prefixes.toArray(String[]::new));
    }
  }
}
