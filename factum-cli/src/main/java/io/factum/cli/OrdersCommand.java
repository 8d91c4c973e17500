package io.factum.cli;

import io.factum.examples.order.OrderDemo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code factum orders}: the Order domain end to end, in-process. */
@Command(
    name = "orders",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the guide's Order domain end to end on an embedded store (no server needed): commands, a rejected one,",
      "snapshots, an upcast legacy event, and a projection into a SQL read model."
    })
final class OrdersCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Store directory (default: a new temporary one).")
  String dir;

  @Override
  public Integer call() throws Exception {
    OrderDemo.main(dir == null ? new String[0] : new String[] {dir});
    return 0;
  }
}
