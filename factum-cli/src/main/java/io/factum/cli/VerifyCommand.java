package io.factum.cli;

import io.factum.embedded.EmbeddedEventStore;
import io.factum.embedded.StoreVerification;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code factum verify DIR}: checks an embedded store's whole log, changing nothing. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Checks the embedded store in DIR, which must not be open (stop the",
      "server first): every record's checksum, positions dense from 1, every",
      "stream's versions following on, what lies after the end of the log,",
      "and the named checkpoints. Changes nothing.",
      "Exit code 0 when intact, 4 when corrupted, 1 when it cannot check."},
    footer = {"", "Example:  factum verify ./data"})
final class VerifyCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "Directory of the embedded store (as given to factum serve --data).")
  Path dir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StoreVerification v = EmbeddedEventStore.verify(dir, progress -> err.println("  " + progress));
    out.printf("store      %s%n", dir);
    out.printf("events     %,d in %,d appends, %,d streams, %d segment files%n", v.events(), v.batches(), v.streams(), v.segments());
    if (v.tornTailAt() >= 0) {
      out.printf("tail       an interrupted, unacknowledged write after log offset %d: opening the store erases it%n", v.tornTailAt());
    }
    if (v.intact()) {
      out.println("result     intact");
      return 0;
    }
    for (String problem : v.problems()) {
      out.println("problem    " + problem);
    }
    out.println("result     CORRUPTED: restore the store from a backup (see the problems above)");
    return Factum.CORRUPTED;
  }
}
