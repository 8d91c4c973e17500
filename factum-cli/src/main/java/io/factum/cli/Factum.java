package io.factum.cli;

import io.factum.api.FactumException;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.InvalidEventException;
import io.factum.api.StorageException;
import io.factum.api.WrongExpectedVersionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code factum} command. Exit codes: 0 success, 1 the server or storage failed or cannot be
 * reached, 2 bad usage or input, 3 a conflict (wrong expected version, event id conflict).
 */
@Command(
    name = "factum",
    mixinStandardHelpOptions = true,
    versionProvider = Factum.Version.class,
    description = "Factum, an event store: run the server, talk to one, or check and copy an embedded store.",
    subcommands = {
      ServeCommand.class,
      AppendCommand.class,
      ReadCommand.class,
      ReadAllCommand.class,
      TailCommand.class,
      StatsCommand.class,
      VerifyCommand.class,
      BackupCommand.class,
      DemoCommand.class,
      TourCommand.class,
      OrdersCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Commands that talk to a server take --url (default $FACTUM_URL, else http://localhost:2113).",
      "Exit codes: 0 ok, 1 server or storage failure, 2 bad usage or input, 3 conflict, 4 store corrupted (verify).",
      "Start with:  factum serve   then open http://localhost:2113/ui/"
    })
public final class Factum implements Runnable {

  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int CONFLICT = 3;
  static final int CORRUPTED = 4;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version picocli prints for {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"factum " + io.factum.server.FactumServer.VERSION, "Java " + System.getProperty("java.version")};
    }
  }

  /** The command line with Factum's exit codes and error messages. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Factum());
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("factum: " + message(e));
      return exitCode(e);
    });
    return cl;
  }

  static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  static int exitCode(Throwable e) {
    if (e instanceof WrongExpectedVersionException || e instanceof IdempotencyConflictException) {
      return CONFLICT;
    }
    if (e instanceof InvalidEventException || e instanceof IllegalArgumentException) {
      return USAGE;
    }
    if (e instanceof StorageException || e instanceof FactumException) {
      return FAILED;
    }
    return FAILED;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
