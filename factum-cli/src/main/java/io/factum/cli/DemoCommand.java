package io.factum.cli;

import io.factum.client.FactumClient;
import io.factum.examples.order.OrderSeed;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code factum demo}: loads the Order example into a running server. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Loads the guide's Order example into a running server, through the command handler over HTTP:",
      "orders placed, paid, shipped and cancelled, one legacy v1 event, one order long enough to be snapshotted."
    },
    footer = {"", "Example:  factum serve &   factum demo --orders 200   then open http://localhost:2113/ui/"})
final class DemoCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  ServerAddress server;

  @Option(names = "--orders", paramLabel = "N", defaultValue = "100", description = "How many orders (default 100).")
  int orders;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Random seed, for repeatable data (default 42).")
  long seed;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (FactumClient client = server.connect()) {
      out.printf("loading %d orders into %s%n", orders, client.uri());
      int step = Math.max(1, orders / 10);
      OrderSeed.Summary s = OrderSeed.load(client, orders, seed, n -> {
        if (n % step == 0 || n == orders) {
          out.printf("  %d/%d orders%n", n, orders);
          out.flush();
        }
      });
      out.printf("done: %d events in %d order streams (prefix %s): %d paid, %d shipped, %d cancelled%n", s.events(), s.orders(),
          s.prefix(), s.paid(), s.shipped(), s.cancelled());
      out.printf("look:  factum read Order-%s1   |   %sui/%n", s.prefix(), client.uri());
    }
    return 0;
  }
}
