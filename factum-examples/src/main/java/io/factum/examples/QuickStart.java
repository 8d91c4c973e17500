package io.factum.examples;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.api.WrongExpectedVersionException;
import io.factum.embedded.EmbeddedEventStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A tour of the Factum API on the durable embedded store, in a fresh temporary directory: append
 * with optimistic concurrency, an idempotent retry, stream and global reads with a filter, a live
 * subscription, pipelined appends, and a reopen that finds everything again. Run it with {@code ./factum tour}. The code between the {@code tour} markers is quoted verbatim in the README (a test keeps the
 * two identical).
 */
public final class QuickStart {

  private QuickStart() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("factum-demo");
    run(dir, System.out);
  }

  static void run(Path dir, PrintStream out) throws Exception {
    // tour:start
    try (EventStore store = EmbeddedEventStore.open(dir)) {
      // A live subscription to every event of the Order category, from the beginning.
      CountDownLatch seen = new CountDownLatch(3);
      Subscription tail = store.subscribeToAll(0, EventFilter.categories("Order"), event -> {
        out.printf("  live: #%d %s %s%n", event.globalPosition(), event.eventType(), event.dataAsString());
        seen.countDown();
      });

      // Append to a new stream: NO_STREAM makes sure nobody created it first.
      EventData placed = EventData.json("OrderPlaced", "{\"customer_id\":\"cust-1\",\"total_cents\":5000}")
          .withId(UUID.randomUUID())
          .withMetadata("{\"correlation_id\":\"req-42\"}");
      AppendResult first = store.append("Order-abc123", ExpectedVersion.NO_STREAM, placed);
      out.printf("appended version %d at position %d%n", first.lastVersion(), first.lastPosition());

      // Retrying with the same event ids is safe: the original result comes back.
      AppendResult retry = store.append("Order-abc123", ExpectedVersion.NO_STREAM, placed);
      out.printf("retry: alreadyAppended=%s, still version %d%n", retry.alreadyAppended(), retry.lastVersion());

      // Optimistic concurrency: append only if the stream is still at the version we decided on.
      store.append("Order-abc123", ExpectedVersion.exactly(1),
          EventData.json("OrderPaid", "{\"amount_cents\":5000}"),
          EventData.json("OrderShipped", "{\"carrier\":\"DHL\"}"));
      try {
        store.append("Order-abc123", ExpectedVersion.exactly(1), EventData.json("OrderCancelled", "{}"));
      } catch (WrongExpectedVersionException e) {
        out.printf("conflict: expected %s, stream is at %d%n", e.expected(), e.actualVersion());
      }
      store.append("Customer-cust-1", ExpectedVersion.ANY, EventData.json("CustomerRegistered", "{\"name\":\"Ada\"}"));

      // Reads: one stream in order, the newest event first, and the global log filtered by type.
      for (RecordedEvent e : store.readStream("Order-abc123", 1, 100)) {
        out.printf("Order-abc123 v%d %s%n", e.version(), e.eventType());
      }
      out.printf("newest: %s%n", store.readStreamBackward("Order-abc123", Long.MAX_VALUE, 1).get(0).eventType());
      List<RecordedEvent> shipped = store.readAll(0, 100, EventFilter.eventTypes("OrderShipped"));
      out.printf("shipped orders: %d, head position %d%n", shipped.size(), store.headPosition());

      // Pipelining: appends started from one thread are decided in that order and share their syncs.
      List<CompletableFuture<AppendResult>> inFlight = new ArrayList<>();
      for (int item = 1; item <= 3; item++) {
        inFlight.add(store.appendAsync("Cart-7", ExpectedVersion.exactly(item - 1),
            List.of(EventData.json("ItemAdded", "{\"sku\":" + item + "}"))));
      }
      out.printf("pipelined: Cart-7 at version %d%n", inFlight.get(2).join().lastVersion());

      seen.await(10, TimeUnit.SECONDS);
      tail.close();
    }
    // Every append above was on disk before it returned: a reopened store has it all.
    try (EventStore store = EmbeddedEventStore.open(dir)) {
      out.printf("after reopen: Order-abc123 is at version %d%n", store.streamVersion("Order-abc123").getAsLong());
    }
    // tour:end
  }
}
