package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.core.InMemoryEventStore;
import io.factum.server.FactumServer;
import io.factum.server.ServerOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The {@code factum} commands that talk to a server, run in-process against a real one. */
@Timeout(120)
class FactumCliTest {

  private EventStore store;
  private FactumServer server;
  private String url;

  /** What a command printed and returned. */
  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() {
    store = InMemoryEventStore.create();
    server = FactumServer.start(store, ServerOptions.DEFAULT.withPort(0));
    url = server.uri().toString();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private Run factum(String... args) {
    CommandLine cl = Factum.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Run withUrl(String command, String... args) {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.add("--url");
    all.add(url);
    all.addAll(List.of(args));
    return factum(all.toArray(String[]::new));
  }

  @Test
  void appendThenReadAStream() {
    Run appended = withUrl("append", "Order-1", "--type", "OrderPlaced", "--data", "{\"total\":42}", "--expected-version", "no_stream",
        "--metadata", "{\"user_id\":\"alice\"}");
    assertThat(appended.exit()).as(appended.err()).isZero();
    assertThat(appended.out()).contains("appended: Order-1@1 at position 1");

    Run read = withUrl("read", "Order-1");
    assertThat(read.exit()).isZero();
    assertThat(read.out()).contains("Order-1@1").contains("OrderPlaced").contains("{\"total\":42}");

    Run json = withUrl("read", "Order-1", "--json");
    assertThat(json.out()).contains("\"event_type\":\"OrderPlaced\"").contains("\"metadata\":{\"user_id\":\"alice\"}");
    assertThat(store.readStream("Order-1", 1, 10)).extracting(RecordedEvent::eventType).containsExactly("OrderPlaced");
  }

  @Test
  void verifyChecksAnEmbeddedStoreAndSaysWhetherItIsIntact(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path data = dir.resolve("data");
    try (io.factum.embedded.EmbeddedEventStore embedded = io.factum.embedded.EmbeddedEventStore.open(data)) {
      embedded.append("Order-1", io.factum.api.ExpectedVersion.NO_STREAM, List.of(
          io.factum.api.EventData.json("OrderPlaced", "{\"total\":42}"), io.factum.api.EventData.json("OrderPaid", "{}")));
      embedded.append("Order-2", io.factum.api.ExpectedVersion.NO_STREAM, io.factum.api.EventData.json("OrderPlaced", "{\"total\":7}"));
    }
    Run intact = factum("verify", data.toString());
    assertThat(intact.exit()).as(intact.err()).isZero();
    assertThat(intact.out()).contains("events     3 in 2 appends, 2 streams, 1 segment files").contains("result     intact");
    assertThat(intact.err()).contains("segment 1 of 1");

    java.nio.file.Path segment = data.resolve("log").resolve("segment-000000.log");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x5A}), 120); // inside the first append's first event
    }
    Run corrupted = factum("verify", data.toString());
    assertThat(corrupted.exit()).isEqualTo(Factum.CORRUPTED);
    assertThat(corrupted.out()).contains("problem    Corrupted log").contains("position 1").contains("result     CORRUPTED");

    java.nio.file.Path log = data.resolve("log");
    java.nio.file.Path aside = dir.resolve("log-aside");
    java.nio.file.Files.move(log, aside);
    Run noLog = factum("verify", data.toString());
    assertThat(noLog.exit()).as("a store without its log is damaged, not unchecked").isEqualTo(Factum.CORRUPTED);
    assertThat(noLog.out()).contains("log directory").contains("is missing");
    java.nio.file.Files.move(aside, log);

    Run notAStore = factum("verify", dir.resolve("nothing").toString());
    assertThat(notAStore.exit()).isEqualTo(1);
    assertThat(notAStore.err()).contains("not a Factum store");
  }

  @Test
  void backupCopiesAStoppedStoreThatVerifiesAndOpens(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path data = dir.resolve("data");
    try (io.factum.embedded.EmbeddedEventStore embedded = io.factum.embedded.EmbeddedEventStore.open(data)) {
      embedded.append("Order-1", io.factum.api.ExpectedVersion.NO_STREAM, io.factum.api.EventData.json("OrderPlaced", "{}"));
      embedded.append("Order-1", io.factum.api.ExpectedVersion.exactly(1), io.factum.api.EventData.json("OrderPaid", "{}"));
    }
    java.nio.file.Path copy = dir.resolve("backup");
    try (io.factum.embedded.EmbeddedEventStore running = io.factum.embedded.EmbeddedEventStore.open(data)) {
      Run refused = factum("backup", data.toString(), copy.toString());
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err()).contains("already open");
    }
    Run backup = factum("backup", data.toString(), copy.toString());
    assertThat(backup.exit()).as(backup.err()).isZero();
    assertThat(backup.out()).contains("backed up " + data + " into " + copy);
    assertThat(factum("verify", copy.toString()).out()).contains("events     2 in 2 appends").contains("result     intact");
    try (io.factum.embedded.EmbeddedEventStore restored = io.factum.embedded.EmbeddedEventStore.open(copy)) {
      assertThat(restored.readStream("Order-1", 1, 10)).extracting(io.factum.api.RecordedEvent::eventType).containsExactly("OrderPlaced", "OrderPaid");
    }

    Run again = factum("backup", data.toString(), copy.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("not empty");

    Run intoItself = factum("backup", data.toString(), data.resolve("bk").toString());
    assertThat(intoItself.exit()).isEqualTo(1);
    assertThat(intoItself.err()).contains("inside the store");
    assertThat(data.resolve("bk")).doesNotExist();
  }

  @Test
  void anIdempotentRetryIsReportedAsAlreadyAppended() {
    String id = "0192b5c4-7c1e-7cc3-9d5e-3f1a2b4c5d6e";
    withUrl("append", "Order-1", "--type", "A", "--data", "{}", "--id", id);
    Run again = withUrl("append", "Order-1", "--type", "A", "--data", "{}", "--id", id);
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("already appended: Order-1@1");
  }

  @Test
  void readAllFiltersByCategory() {
    withUrl("append", "Order-1", "--type", "OrderPlaced", "--data", "{}");
    withUrl("append", "Invoice-1", "--type", "InvoiceSent", "--data", "{}");
    Run all = withUrl("read-all", "--category", "Invoice");
    assertThat(all.exit()).isZero();
    assertThat(all.out()).contains("Invoice-1@1").doesNotContain("Order-1");
  }

  @Test
  void exitCodesSayWhatWentWrong() throws Exception {
    withUrl("append", "Order-1", "--type", "A", "--data", "{}");
    Run conflict = withUrl("append", "Order-1", "--type", "A", "--data", "{}", "--expected-version", "no_stream");
    assertThat(conflict.exit()).isEqualTo(3);
    assertThat(conflict.err()).contains("Wrong expected version").contains("Order-1");

    Run badJson = withUrl("append", "Order-1", "--type", "A", "--data", "{oops");
    assertThat(badJson.exit()).isEqualTo(2);
    assertThat(badJson.err()).contains("not valid JSON");

    Run missingOption = withUrl("append", "Order-1", "--data", "{}");
    assertThat(missingOption.exit()).isEqualTo(2);
    assertThat(missingOption.err()).contains("--type");

    Run noEvents = withUrl("tail", "--count", "0");
    assertThat(noEvents.exit()).isEqualTo(2);
    assertThat(noEvents.err()).contains("--count must be at least 1");

    Run absent = withUrl("read", "Nope-1");
    assertThat(absent.exit()).isEqualTo(1);
    assertThat(absent.err()).contains("does not exist");

    int free;
    try (ServerSocket s = new ServerSocket(0)) {
      free = s.getLocalPort();
    }
    Run unreachable = factum("read", "Order-1", "--url", "http://127.0.0.1:" + free);
    assertThat(unreachable.exit()).isEqualTo(1);
    assertThat(unreachable.err()).contains("Cannot reach the Factum server").contains("factum serve");
    assertThat(store.headPosition()).isEqualTo(1);
  }

  @Test
  void tailPrintsNewEventsAsTheyArrive() throws Exception {
    withUrl("append", "Order-1", "--type", "Old", "--data", "{}");
    CompletableFuture<Run> tail = CompletableFuture.supplyAsync(() -> withUrl("tail", "--count", "2"));
    // The tail starts at the head: wait until its subscription is open, then append.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.store().headPosition() == 1 && System.nanoTime() < deadline) {
      String stats = new String(new java.net.URL(url + "stats").openStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (stats.contains("\"live_streams\":1")) {
        withUrl("append", "Order-2", "--type", "New", "--data", "{\"n\":1}");
        withUrl("append", "Order-3", "--type", "New", "--data", "{\"n\":2}");
      }
      Thread.sleep(20);
    }
    Run run = tail.get(60, TimeUnit.SECONDS);
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("Order-2@1").contains("Order-3@1").doesNotContain("Old");
  }

  @Test
  void statsAndDemoDescribeAndFillTheServer() {
    Run demo = withUrl("demo", "--orders", "20");
    assertThat(demo.exit()).as(demo.err()).isZero();
    assertThat(demo.out()).contains("20/20 orders").contains("done:");
    assertThat(store.headPosition()).isGreaterThan(80);
    assertThat(store.readAll(0, 100_000)).extracting(RecordedEvent::eventType).contains("OrderPlaced", "OrderPaid", "OrderCreated");
    assertThat(store.snapshots().load(store.readAll(0, 100_000).stream().filter(e -> e.streamId().endsWith("busy"))
        .findFirst().orElseThrow().streamId())).isPresent();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Run stats = withUrl("stats");
    while (!stats.out().contains("OrderPaid") && System.nanoTime() < deadline) {
      stats = withUrl("stats");
    }
    assertThat(stats.exit()).isZero();
    assertThat(stats.out()).contains("events").contains("OrderPaid").contains("$streams");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : List.of("serve", "append", "read", "read-all", "tail", "stats", "demo", "tour", "orders")) {
      Run help = factum(command, "--help");
      assertThat(help.exit()).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage: factum " + command);
    }
    Run top = factum("--help");
    assertThat(top.out()).contains("serve").contains("append").contains("Exit codes");
    assertThat(factum().out()).contains("Usage: factum");
  }
}
