package io.factum.cli;

import io.factum.api.Subscription;
import io.factum.client.FactumClient;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code factum tail}: follows {@code $all} live, like {@code tail -f}. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = "Follows new events of all streams as they are appended (Ctrl-C stops). Reconnects by itself.",
    footer = {"", "Example:  factum tail --category Order", "          factum tail --after 0 --json    (everything, then live)"})
final class TailCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ServerAddress server;

  @Mixin
  ReadAllCommand.Filters filters;

  @Option(names = "--after", paramLabel = "POSITION", description = "Start after this global position (default: the current head, so only new events).")
  Long after;

  @Option(names = "--count", paramLabel = "N", description = "Stop after N events (default: run until interrupted).")
  Long count;

  @Option(names = "--json", description = "One JSON envelope per line.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (count != null && count < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
    }
    EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), json);
    CountDownLatch done = new CountDownLatch(1);
    long[] seen = {0};
    try (FactumClient client = server.connect()) {
      long start = after != null ? after : client.headPosition();
      if (!json) {
        spec.commandLine().getErr().println("following " + client.uri() + " after position " + start + " (Ctrl-C stops)");
      }
      Subscription sub = client.subscribeToAll(start, filters.filter(), e -> {
        printer.print(e);
        if (count != null && ++seen[0] >= count) {
          done.countDown();
        }
      });
      Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
      sub.stopped().whenComplete((ok, failure) -> done.countDown());
      done.await();
      sub.close();
    }
    return 0;
  }
}
