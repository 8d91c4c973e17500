package io.factum.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Test data and assertions shared by the contracts. */
public final class Fixtures {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong STREAMS = new AtomicLong();

  private Fixtures() {}

  /** A stream id unique within the JVM, in the given category. */
  public static String stream(String category) {
    return category + "-" + STREAMS.incrementAndGet() + "x" + Long.toHexString(System.nanoTime() & 0xFFFFF);
  }

  /** A JSON event {@code {"n":n}} of type {@code type}, with a fresh id. */
  public static EventData event(String type, int n) {
    return EventData.json(type, "{\"n\":" + n + "}").withId(UUID.randomUUID());
  }

  /** {@code count} events of type {@code Tested} numbered from {@code firstN}. */
  public static List<EventData> events(int count, int firstN) {
    List<EventData> out = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      out.add(event("Tested", firstN + k));
    }
    return out;
  }

  public static List<EventData> events(int count) {
    return events(count, 1);
  }

  /** The {@code n} field of an event made by {@link #event}. */
  public static int n(RecordedEvent e) {
    return tree(e.data()).get("n").asInt();
  }

  public static JsonNode tree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * JSON equality by meaning: key order, whitespace and number spelling aside ({@code -1.5e3} equals
   * {@code -1500}; PostgreSQL's jsonb rewrites both). What every backend must preserve.
   */
  public static void assertSameJson(byte[] actual, byte[] expected) {
    JsonNode a = tree(actual);
    JsonNode e = tree(expected);
    assertThat(a.equals(NUMBERS_BY_VALUE, e))
        .as("JSON %s should mean the same as %s", new String(actual, java.nio.charset.StandardCharsets.UTF_8),
            new String(expected, java.nio.charset.StandardCharsets.UTF_8))
        .isTrue();
  }

  private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (x, y) -> {
    if (x.isNumber() && y.isNumber()) {
      return x.decimalValue().compareTo(y.decimalValue());
    }
    return x.equals(y) ? 0 : 1;
  };

  /** Asserts that events have the positions {@code first, first+1, …} in that order. */
  /** The exception {@code future} failed with (unwrapped); an assertion error when it did not fail. */
  public static Throwable failureOf(java.util.concurrent.CompletableFuture<?> future) {
    try {
      future.join();
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("the future completed normally; a failure was expected");
  }

  public static void assertDensePositions(List<RecordedEvent> events, long first) {
    for (int k = 0; k < events.size(); k++) {
      assertThat(events.get(k).globalPosition()).as("position of event #%d", k).isEqualTo(first + k);
    }
  }

  /** Invalid stream ids, each with what makes it invalid. */
  public static Stream<String> invalidStreamIds() {
    return Stream.of(
        "",
        " ",
        "   \t",
        "a".repeat(256),
        "Order-\u0000",
        "Order-\n1",
        "Order-\u007f",
        "Order-\ud800",
        "\udc00-Order",
        "$system",
        "$all");
  }

  /**
   * Closes {@code store} from a thread interrupted before it calls {@code close()} (a cancelled task,
   * a shutdown hook), opens {@code release} (what holds the store's writer) once that close is
   * waiting, and returns when the close has returned.
   */
  public static void closeWhileInterrupted(AutoCloseable store, java.util.concurrent.CountDownLatch release) throws Exception {
    Thread closer = new Thread(() -> {
      Thread.currentThread().interrupt();
      try {
        store.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    closer.start();
    Thread.sleep(200); // let the close reach its wait for the writer, interrupted, before the writer goes on
    release.countDown();
    closer.join(60_000);
    assertThat(closer.isAlive()).as("close() returned").isFalse();
  }
}
