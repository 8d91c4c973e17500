package io.factum.server;

import io.factum.api.BatchingEventHandler;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client's Server-Sent Events stream, fed by a store subscription.
 *
 * <p>The wire format: each event is {@code id: <global position>}, {@code event: <event type>},
 * {@code data: <envelope>}. At the end of every page the subscription read, a {@code $checkpoint}
 * event ({@code id:} the position the page covers, {@code data: {"position":…,"live":…}}) marks a
 * safe resume point and whether the stream has caught up; a reconnect with that {@code Last-Event-ID}
 * continues with no gap and no duplicate. Comments ({@code : …}) are heartbeats. On shutdown the
 * client gets a final {@code $end} event. Event types starting with {@code $} are reserved, so these
 * never collide with stored events.
 *
 * <p>Backpressure: events are written from the subscription's own thread straight into the
 * connection. A client that reads slowly blocks that thread only; the subscription then falls behind
 * and catches up from the store's pages, so memory stays bounded and nobody is dropped.
 */
final class SseSession implements BatchingEventHandler {

  /** Bytes buffered before a write to the connection in the middle of a page. */
  private static final int FLUSH_BYTES = 32 * 1024;

  private final OutputStream out;
  private final String description;
  private final ReentrantLock lock = new ReentrantLock();
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream(FLUSH_BYTES + 4096);
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile long lastWriteNanos = System.nanoTime();
  private volatile long position;
  private volatile Subscription subscription;
  private volatile boolean ended;
  /** The live flag of the last {@code $checkpoint} sent. */
  private volatile boolean announcedLive;

  SseSession(OutputStream out, String description, long startPosition) {
    this.out = out;
    this.description = description;
    this.position = startPosition;
  }

  /** Completes when the stream is over (client gone, subscription stopped or server shutdown). */
  CompletableFuture<Void> done() {
    return done;
  }

  String description() {
    return description;
  }

  /** The global position delivered through so far. */
  long position() {
    return position;
  }

  void attach(Subscription s) {
    subscription = s;
    s.stopped().whenComplete((ok, failure) -> {
      if (failure != null && !ended) {
        // The client went away (a write failed) or the store failed: end the response either way.
        end(null);
      }
    });
    if (ended) {
      s.close();
    }
  }

  /** Sends the response preamble: a comment, so the client sees the stream open at once. */
  void open(String comment) throws IOException {
    lock.lock();
    try {
      pending.write(("retry: 1000\n: " + comment + "\n\n").getBytes(StandardCharsets.UTF_8));
      flush();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void handle(RecordedEvent event) throws IOException {
    byte[] envelope = JsonOut.envelope(event);
    lock.lock();
    try {
      ensureOpen();
      writeField("id", Long.toString(event.globalPosition()));
      writeField("event", event.eventType());
      writeData(envelope);
      pending.write('\n');
      position = event.globalPosition();
      if (pending.size() >= FLUSH_BYTES) {
        flush();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void endOfBatch(long through) throws IOException {
    Subscription s = subscription;
    boolean live = s != null && s.isLive();
    lock.lock();
    try {
      ensureOpen();
      writeField("id", Long.toString(through));
      writeField("event", "$checkpoint");
      writeCheckpoint(through, live);
      position = through;
      flush();
    } finally {
      lock.unlock();
    }
  }

  private void writeCheckpoint(long through, boolean live) throws IOException {
    writeField("data", "{\"position\":" + through + ",\"live\":" + live + "}");
    pending.write('\n');
    announcedLive = live;
  }

  /**
   * Tells the client the subscription turned live when no page said so: a read that reached the
   * head without finding anything new ends no page. Never waits for a busy writer.
   */
  void announceLiveIfDue() {
    Subscription s = subscription;
    if (!liveAnnouncementDue() || !lock.tryLock()) {
      return;
    }
    try {
      if (!ended && !announcedLive && s.isLive()) {
        writeField("id", Long.toString(position));
        writeField("event", "$checkpoint");
        writeCheckpoint(position, true);
        flush();
      }
    } catch (IOException e) {
      end(null); // the client is gone
    } finally {
      lock.unlock();
    }
  }

  boolean liveAnnouncementDue() {
    Subscription s = subscription;
    return !ended && !announcedLive && s != null && s.isLive();
  }

  /** Writes a heartbeat comment if the stream was quiet for {@code idleNanos}; never waits for a busy writer. */
  void heartbeatIfIdle(long idleNanos) {
    if (ended || System.nanoTime() - lastWriteNanos < idleNanos || !lock.tryLock()) {
      return;
    }
    try {
      if (!ended) {
        pending.write(": heartbeat\n\n".getBytes(StandardCharsets.US_ASCII));
        flush();
      }
    } catch (IOException e) {
      end(null); // the client is gone
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends the stream: stops the subscription and, when {@code reason} is given, tells the client with
   * a final {@code $end} event. Waits at most a second for a write in progress.
   */
  void end(String reason) {
    if (ended) {
      return;
    }
    ended = true;
    Subscription s = subscription;
    if (s != null) {
      s.close();
    }
    boolean locked = false;
    try {
      locked = lock.tryLock(1, TimeUnit.SECONDS);
      if (locked && reason != null) {
        pending.reset();
        pending.write(("event: $end\ndata: {\"reason\":\"" + reason + "\"}\n\n").getBytes(StandardCharsets.UTF_8));
        flushQuietly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException ignored) {
      // the client is gone already
    } finally {
      if (locked) {
        lock.unlock();
      }
      done.complete(null);
    }
  }

  private void ensureOpen() throws IOException {
    if (ended) {
      throw new IOException("The event stream to " + description + " has ended");
    }
  }

  private void writeField(String name, String value) throws IOException {
    pending.write(name.getBytes(StandardCharsets.US_ASCII));
    pending.write(':');
    pending.write(' ');
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    for (byte b : v) {
      // An event type cannot hold control characters, so this only guards the framing.
      pending.write(b == '\n' || b == '\r' ? ' ' : b);
    }
    pending.write('\n');
  }

  /**
   * One {@code data:} line. JSON cannot hold a raw line break except as whitespace between tokens, so
   * replacing CR and LF by spaces keeps the JSON equal and the SSE framing intact.
   */
  private void writeData(byte[] json) {
    pending.write('d');
    pending.write('a');
    pending.write('t');
    pending.write('a');
    pending.write(':');
    pending.write(' ');
    int from = 0;
    for (int i = 0; i < json.length; i++) {
      if (json[i] == '\n' || json[i] == '\r') {
        pending.write(json, from, i - from);
        pending.write(' ');
        from = i + 1;
      }
    }
    pending.write(json, from, json.length - from);
    pending.write('\n');
  }

  private void flush() throws IOException {
    pending.writeTo(out);
    pending.reset();
    out.flush();
    lastWriteNanos = System.nanoTime();
  }

  private void flushQuietly() throws IOException {
    try {
      flush();
    } finally {
      pending.reset();
    }
  }
}
