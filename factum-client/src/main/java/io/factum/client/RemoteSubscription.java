package io.factum.client;

import io.factum.api.BatchingEventHandler;
import io.factum.api.EventHandler;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongFunction;

/**
 * A subscription served by the server over Server-Sent Events, with the guarantees of {@link
 * Subscription}: events in order, each once, handed to the handler on this subscription's own
 * thread.
 *
 * <p>When the connection drops (network, server restart, idle for longer than the stream idle
 * timeout) it reconnects with growing delays and resumes after the last event it delivered, so the
 * handler sees neither a gap nor a duplicate. Backpressure is TCP's: the handler runs on the thread
 * that reads the connection, so a slow handler simply reads slowly and the server falls back to
 * catch-up reads for it. The {@code $checkpoint} markers the server sends at the end of each page
 * become {@link BatchingEventHandler#endOfBatch} calls and move {@link #lastPosition()} past events a
 * filter skipped.
 */
final class RemoteSubscription implements Subscription {

  private static final System.Logger LOG = System.getLogger(RemoteSubscription.class.getName());

  private final FactumClient client;
  private final EventHandler handler;
  private final BatchingEventHandler batching;
  /**
   * Builds the request path of a (re)connection from where to resume: the global position delivered
   * through for {@code $all}, the next version for a stream subscription.
   */
  private final LongFunction<String> pathAfter;
  /** For a stream subscription: the next version to deliver (a guard against duplicates); 0 otherwise. */
  private long nextVersion;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final Thread worker;
  private final Object lock = new Object();

  private volatile State state = State.CATCHING_UP;
  private volatile Throwable failure;
  /** The position committed: per event, or per page for a batching handler. */
  private volatile long lastPosition;
  /** The position of the last event or checkpoint received: where a reconnect resumes. */
  private long resumeAfter;
  private volatile long lastByteNanos = System.nanoTime();
  private Transport.Streamed current; // guarded by lock
  private boolean inHandler; // guarded by lock
  private volatile boolean closed;

  RemoteSubscription(FactumClient client, String name, long afterPosition, long fromVersion, LongFunction<String> pathAfter, EventHandler handler) {
    this.client = client;
    this.handler = handler;
    this.batching = handler instanceof BatchingEventHandler ? (BatchingEventHandler) handler : null;
    this.pathAfter = pathAfter;
    this.lastPosition = afterPosition;
    this.resumeAfter = afterPosition;
    this.nextVersion = fromVersion;
    this.worker = new Thread(this::run, name);
    this.worker.setDaemon(true);
  }

  void start() {
    worker.start();
  }

  private void run() {
    Duration delay = client.options().reconnectDelay();
    try {
      while (!closed) {
        boolean received = false;
        try {
          received = connectAndRead();
        } catch (HandlerFailed f) {
          fail(f.getCause());
          return;
        } catch (IOException | RuntimeException e) {
          if (closed) {
            break;
          }
          LOG.log(Level.DEBUG, "Event stream " + worker.getName() + " lost its connection: " + e);
        }
        if (closed) {
          break;
        }
        delay = received ? client.options().reconnectDelay() : min(delay.multipliedBy(2), client.options().maxReconnectDelay());
        if (state == State.LIVE) {
          state = State.CATCHING_UP;
        }
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          if (closed) {
            break;
          }
        }
      }
    } finally {
      if (state != State.FAILED) {
        state = State.CLOSED;
        stopped.complete(null);
      }
      client.forget(this);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * One connection: reads until it ends. Returns whether an event arrived (to reset the backoff): a
   * stream the server ends at once — it could not subscribe — is retried with growing delays.
   */
  private boolean connectAndRead() throws IOException {
    ClientOptions o = client.options();
    // Reads wait at most this long for a byte; the idle watchdog usually acts first.
    Duration readTimeout = max(o.requestTimeout(), o.streamIdleTimeout()).plus(o.connectTimeout());
    Transport.Streamed response = client.transport().stream(pathAfter.apply(nextVersion > 0 ? nextVersion : resumeAfter), readTimeout);
    synchronized (lock) {
      if (closed) {
        response.close();
        return false;
      }
      current = response;
    }
    try {
      InputStream in = response.body();
      if (response.status() != 200) {
        byte[] body = in.readNBytes(64 * 1024);
        throw Transport.error(new Transport.Response(response.status(), body));
      }
      return read(in);
    } finally {
      synchronized (lock) {
        current = null;
      }
      response.close();
    }
  }

  private boolean read(InputStream in) throws IOException {
    LineReader lines = new LineReader(in);
    String event = null;
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    boolean received = false;
    for (byte[] line; (line = lines.next()) != null; ) {
      lastByteNanos = System.nanoTime();
      if (line.length == 0) {
        if (data.size() > 0 || event != null) {
          if (!dispatch(event, data.toByteArray())) {
            return received;
          }
          received = true;
        }
        event = null;
        data.reset();
      } else if (line[0] == ':') {
        continue; // a comment: heartbeat
      } else {
        int colon = indexOf(line, (byte) ':');
        String field = new String(line, 0, colon < 0 ? line.length : colon, StandardCharsets.UTF_8);
        int from = colon < 0 ? line.length : colon + 1;
        if (from < line.length && line[from] == ' ') {
          from++;
        }
        if (field.equals("event")) {
          event = new String(line, from, line.length - from, StandardCharsets.UTF_8);
        } else if (field.equals("data")) {
          if (data.size() > 0) {
            data.write('\n');
          }
          data.write(line, from, line.length - from);
        }
        // id and retry: the position is in the envelope and checkpoint; reconnect timing is ours
      }
    }
    return received;
  }

  /** Handles one SSE event; false when the server ended the stream. */
  private boolean dispatch(String event, byte[] data) {
    if ("$checkpoint".equals(event)) {
      Json.Doc d = Json.doc(data);
      long position = d.number("position", resumeAfter);
      boolean live = d.bool("live");
      if (batching != null) {
        call(() -> batching.endOfBatch(position));
      }
      resumeAfter = Math.max(resumeAfter, position);
      lastPosition = Math.max(lastPosition, position);
      if (!closed && state != State.FAILED) {
        state = live ? State.LIVE : State.CATCHING_UP;
      }
      return true;
    }
    if ("$end".equals(event)) {
      return false; // the server is shutting down: reconnect (to it once it is back)
    }
    RecordedEvent e = Json.event(data);
    if (e.globalPosition() <= resumeAfter || (nextVersion > 0 && e.version() < nextVersion)) {
      return true; // already delivered before a reconnect
    }
    call(() -> handler.handle(e));
    resumeAfter = e.globalPosition();
    if (nextVersion > 0) {
      nextVersion = e.version() + 1;
    }
    if (batching == null) {
      lastPosition = e.globalPosition();
    }
    return true;
  }

  /** Runs handler code; its exception fails the subscription. */
  private void call(HandlerCall call) {
    if (closed) {
      throw new HandlerFailed(null); // closed meanwhile: stop without calling the handler again
    }
    synchronized (lock) {
      inHandler = true;
    }
    try {
      call.run();
    } catch (Exception e) {
      throw new HandlerFailed(e);
    } finally {
      synchronized (lock) {
        inHandler = false;
      }
    }
  }

  @FunctionalInterface
  private interface HandlerCall {
    void run() throws Exception;
  }

  /** Carries a handler's exception out of the read loop. */
  private static final class HandlerFailed extends RuntimeException {
    HandlerFailed(Throwable cause) {
      super(cause);
    }
  }

  private void fail(Throwable cause) {
    if (cause == null || closed) {
      state = State.CLOSED;
      stopped.complete(null);
      return;
    }
    failure = cause;
    state = State.FAILED;
    LOG.log(Level.WARNING, "Subscription " + worker.getName() + " stopped: its handler failed at position " + resumeAfter, cause);
    stopped.completeExceptionally(cause);
  }

  /** Drops the connection if nothing (not even a heartbeat) arrived for {@code idleNanos}. */
  void checkIdle(long idleNanos) {
    if (System.nanoTime() - lastByteNanos < idleNanos) {
      return;
    }
    synchronized (lock) {
      if (current != null && !inHandler) {
        lastByteNanos = System.nanoTime();
        current.abort();
      }
    }
  }

  private static int indexOf(byte[] a, byte b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public long lastPosition() {
    return lastPosition;
  }

  @Override
  public boolean isLive() {
    return state == State.LIVE;
  }

  @Override
  public State state() {
    return state;
  }

  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public CompletionStage<Void> stopped() {
    return stopped;
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (state != State.FAILED) {
        state = State.CLOSED;
      }
      if (current != null) {
        current.abort();
      }
      if (!inHandler) {
        worker.interrupt();
      }
    }
    if (Thread.currentThread() != worker) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Splits a byte stream into lines at LF, CRLF or CR, as the SSE format does. */
  private static final class LineReader {
    private final InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int len;
    private boolean skipLf;

    LineReader(InputStream in) {
      this.in = in;
    }

    byte[] next() throws IOException {
      ByteArrayOutputStream line = null;
      while (true) {
        if (pos == len) {
          len = in.read(buf);
          pos = 0;
          if (len <= 0) {
            len = 0;
            return null; // a line cut off by the end of the stream is incomplete: dropped
          }
        }
        if (skipLf) {
          skipLf = false;
          if (buf[pos] == '\n') {
            pos++;
            continue;
          }
        }
        int start = pos;
        while (pos < len && buf[pos] != '\n' && buf[pos] != '\r') {
          pos++;
        }
        if (pos < len) {
          byte[] out;
          if (line == null) {
            out = java.util.Arrays.copyOfRange(buf, start, pos);
          } else {
            line.write(buf, start, pos - start);
            out = line.toByteArray();
          }
          skipLf = buf[pos] == '\r';
          pos++;
          return out;
        }
        if (line == null) {
          line = new ByteArrayOutputStream(Math.max(256, pos - start));
        }
        line.write(buf, start, pos - start);
      }
    }
  }
}
