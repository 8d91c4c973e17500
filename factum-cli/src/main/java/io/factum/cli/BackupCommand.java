package io.factum.cli;

import io.factum.embedded.EmbeddedEventStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code factum backup DIR TO}: a copy of an embedded store that is not running. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Copies the embedded store in DIR into TO (a new or empty directory),",
      "changing nothing in DIR: its log, named checkpoints and snapshots.",
      "DIR must not be open: stop the server first (a program can back up",
      "its running store with EmbeddedEventStore.backup). The copy rebuilds",
      "its indexes when first opened."},
    footer = {"", "Example:  factum backup ./data ./backups/2026-11-27 && factum verify ./backups/2026-11-27"})
final class BackupCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Directory of the embedded store (as given to factum serve --data).")
  Path dir;

  @Parameters(index = "1", paramLabel = "TO", description = "Where the copy goes: a new or empty directory.")
  Path to;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    EmbeddedEventStore.backup(dir, to, progress -> err.println("  " + progress));
    spec.commandLine().getOut().printf("backed up %s into %s; factum verify %s checks the copy%n", dir, to, to);
    return 0;
  }
}
