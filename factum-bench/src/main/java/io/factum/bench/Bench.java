package io.factum.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code factum-bench}: measures Factum against raw baselines and writes {@code bench/results/}. */
@Command(name = "factum-bench", mixinStandardHelpOptions = true, subcommands = {Bench.Embedded.class, Bench.Toolkit.class, Bench.Postgres.class, Bench.Server.class},
    description = "Measures Factum against raw baselines in one run; writes JSON and Markdown to bench/results/.")
public final class Bench implements Runnable {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** The options every suite takes: where results go and whether to run tiny sizes. */
  static final class Output {
    @Option(names = "--out", description = "Where results go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("bench", "results");

    @Option(names = "--quick", description = "Tiny sizes: checks the bench runs, numbers mean nothing.")
    boolean quick;

    /** A report named after the suite, {@code -quick} for tiny sizes. */
    Report report(String suite) {
      return new Report(quick ? suite + "-quick" : suite);
    }

    /** Writes the report's files and prints its tables. */
    int publish(Report report) throws Exception {
      Path file = report.write(out);
      System.out.println();
      System.out.println(report.markdown());
      System.out.println("Results written to " + file);
      return 0;
    }
  }

  /** The scratch directory of suites that write stores to disk; emptied after the run. */
  static final class Scratch {
    @Option(names = "--dir", description = "Scratch directory on the disk to measure (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("target", "bench-work");
  }

  @Command(name = "server", mixinStandardHelpOptions = true,
      description = "The server over HTTP on loopback: appends from 1 and 64 connections, reads, and SSE latency to 100 subscribers.")
  static final class Server implements Callable<Integer> {
    @Mixin Output output;
    @Mixin Scratch scratch;

    @Override
    public Integer call() throws Exception {
      Report report = output.report("server");
      Path work = scratch.dir.resolve("server");
      new ServerSuite(work, output.quick, report).run();
      EmbeddedSuite.delete(work);
      return output.publish(report);
    }
  }

  @Command(name = "postgres", mixinStandardHelpOptions = true,
      description = "Appends on PostgreSQL: the guide's naive algorithm, Axon 4.13's JDBC engine, raw batch INSERT and Factum.")
  static final class Postgres implements Callable<Integer> {
    @Mixin Output output;

    @Override
    public Integer call() throws Exception {
      Report report = output.report("postgres");
      new PostgresSuite(output.quick, report).run();
      return output.publish(report);
    }
  }

  @Command(name = "toolkit", mixinStandardHelpOptions = true,
      description = "Aggregate loads by stream length with and without snapshots, and projection rebuilds.")
  static final class Toolkit implements Callable<Integer> {
    @Mixin Output output;
    @Mixin Scratch scratch;

    @Override
    public Integer call() throws Exception {
      Report report = output.report("toolkit");
      new ToolkitSuite(scratch.dir.resolve("toolkit"), output.quick, report).run();
      return output.publish(report);
    }
  }

  @Command(name = "embedded", mixinStandardHelpOptions = true,
      description = "Appends, reads and reopen time of the embedded store, against a raw fsync'd log.")
  static final class Embedded implements Callable<Integer> {
    @Mixin Output output;
    @Mixin Scratch scratch;

    @Override
    public Integer call() throws Exception {
      Report report = output.report("embedded");
      Path work = scratch.dir.resolve("embedded");
      new EmbeddedSuite(work, output.quick ? EmbeddedSuite.Settings.quick() : EmbeddedSuite.Settings.full(), report).run();
      EmbeddedSuite.delete(work);
      return output.publish(report);
    }
  }
}
