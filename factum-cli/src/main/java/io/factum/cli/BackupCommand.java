package io.factum.cli;

import io.factum.api.StorageException;
import io.factum.embedded.EmbeddedEventStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code factum backup DIR TO}: a consistent copy of an embedded store that is not running. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Copies the embedded store in DIR into TO (a new or empty directory): every event, named checkpoints and",
      "snapshots. DIR must not be open elsewhere (stop the server first; a program can back up its running store",
      "with EmbeddedEventStore.backup). The copy rebuilds its indexes when first opened; factum verify TO checks it."},
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
    if (!Files.exists(dir.resolve("store.properties"))) {
      throw new StorageException(dir + " is not a Factum store (no store.properties)");
    }
    PrintWriter err = spec.commandLine().getErr();
    try (EmbeddedEventStore store = EmbeddedEventStore.open(dir)) {
      long head = store.backup(to, progress -> err.println("  " + progress));
      spec.commandLine().getOut().printf("backed up %,d events from %s into %s%n", head, dir, to);
    }
    return 0;
  }
}
