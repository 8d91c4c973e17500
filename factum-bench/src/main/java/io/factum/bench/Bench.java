package io.factum.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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

  @Command(name = "server", mixinStandardHelpOptions = true,
      description = "The server over HTTP on loopback: appends from 1 and 64 connections, reads, and SSE latency to 100 subscribers.")
  static final class Server implements Callable<Integer> {

    @Option(names = "--dir", description = "Scratch directory (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("target", "bench-work");

    @Option(names = "--out", description = "Where results go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("bench", "results");

    @Option(names = "--quick", description = "Tiny sizes: checks the bench runs, numbers mean nothing.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
      Report report = new Report(quick ? "server-quick" : "server");
      new ServerSuite(dir.resolve("server"), quick, report).run();
      Path file = report.write(out);
      System.out.println();
      System.out.println(report.markdown());
      System.out.println("Results written to " + file);
      EmbeddedSuite.delete(dir.resolve("server"));
      return 0;
    }
  }

  @Command(name = "postgres", mixinStandardHelpOptions = true,
      description = "Appends on PostgreSQL: the guide's naive algorithm, Axon 4.13's JDBC engine, raw batch INSERT and Factum.")
  static final class Postgres implements Callable<Integer> {

    @Option(names = "--out", description = "Where results go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("bench", "results");

    @Option(names = "--quick", description = "Tiny sizes: checks the bench runs, numbers mean nothing.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
      Report report = new Report(quick ? "postgres-quick" : "postgres");
      new PostgresSuite(quick, report).run();
      Path file = report.write(out);
      System.out.println();
      System.out.println(report.markdown());
      System.out.println("Results written to " + file);
      return 0;
    }
  }

  @Command(name = "toolkit", mixinStandardHelpOptions = true,
      description = "Aggregate loads by stream length with and without snapshots, and projection rebuilds.")
  static final class Toolkit implements Callable<Integer> {

    @Option(names = "--dir", description = "Scratch directory (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("target", "bench-work");

    @Option(names = "--out", description = "Where results go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("bench", "results");

    @Option(names = "--quick", description = "Tiny sizes: checks the bench runs, numbers mean nothing.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
      Report report = new Report(quick ? "toolkit-quick" : "toolkit");
      new ToolkitSuite(dir.resolve("toolkit"), quick, report).run();
      Path file = report.write(out);
      System.out.println();
      System.out.println(report.markdown());
      System.out.println("Results written to " + file);
      return 0;
    }
  }

  @Command(name = "embedded", mixinStandardHelpOptions = true,
      description = "Appends, reads and reopen time of the embedded store, against a raw fsync'd log.")
  static final class Embedded implements Callable<Integer> {

    @Option(names = "--dir", description = "Scratch directory on the disk to measure (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("target", "bench-work");

    @Option(names = "--out", description = "Where results go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("bench", "results");

    @Option(names = "--quick", description = "Tiny sizes: checks the bench runs, numbers mean nothing.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
      Report report = new Report(quick ? "embedded-quick" : "embedded");
      EmbeddedSuite.Settings settings = quick ? EmbeddedSuite.Settings.quick() : EmbeddedSuite.Settings.full();
      new EmbeddedSuite(dir.resolve("embedded"), settings, report).run();
      Path file = report.write(out);
      System.out.println();
      System.out.println(report.markdown());
      System.out.println("Results written to " + file);
      EmbeddedSuite.delete(dir.resolve("embedded"));
      return 0;
    }
  }
}
