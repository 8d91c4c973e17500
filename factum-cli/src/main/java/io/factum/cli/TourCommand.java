package io.factum.cli;

import io.factum.examples.QuickStart;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code factum tour}: the API tour on an embedded store, no server needed. */
@Command(
    name = "tour",
    mixinStandardHelpOptions = true,
    description = "Runs the Java API tour on an embedded store in a temporary directory (no server needed).")
final class TourCommand implements Callable<Integer> {

  @Override
  public Integer call() throws Exception {
    QuickStart.main(new String[0]);
    return 0;
  }
}
