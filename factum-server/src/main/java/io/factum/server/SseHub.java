package io.factum.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The open Server-Sent Events streams: admits new ones up to a limit, keeps idle ones alive with
 * heartbeats, and ends them all on shutdown. Heartbeats are written by a small pool, so one stuck
 * connection cannot delay the others. Thread-safe.
 */
final class SseHub implements AutoCloseable {

  /** How often streams are checked for having turned live without a page to say so. */
  private static final long LIVE_CHECK_MILLIS = 20;
  /** The longest a shutdown waits for the streams to end (each waits for its subscription's close). */
  private static final long END_WAIT_SECONDS = 30;

  private final Set<SseSession> sessions = ConcurrentHashMap.newKeySet();
  private final int maxSessions;
  private final long heartbeatNanos;
  private final ScheduledExecutorService timer;
  private final ExecutorService writers;
  private volatile boolean closed;

  SseHub(int maxSessions, Duration heartbeat) {
    this.maxSessions = maxSessions;
    this.heartbeatNanos = heartbeat.toNanos();
    AtomicInteger n = new AtomicInteger();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "factum-sse-heartbeat"));
    this.writers = Executors.newCachedThreadPool(r -> daemon(r, "factum-sse-heartbeat-writer-" + n.incrementAndGet()));
    long period = Math.max(50, heartbeat.toMillis() / 3);
    timer.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::announceLive, LIVE_CHECK_MILLIS, LIVE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Registers a session.
   *
   * @throws ApiException 503 when the limit of open streams is reached or the server is stopping
   */
  void admit(SseSession session) {
    if (closed) {
      throw new ApiException(503, "unavailable", "The server is shutting down; reconnect to another instance or retry shortly");
    }
    if (sessions.size() >= maxSessions) {
      throw new ApiException(503, "too_many_subscribers", "This server already serves " + maxSessions
          + " event streams (max-subscribers); retry later or raise the limit");
    }
    sessions.add(session);
    session.done().whenComplete((ok, e) -> sessions.remove(session));
  }

  int size() {
    return sessions.size();
  }

  /** The largest distance, in positions, between {@code head} and a stream's delivered position. */
  long maxLag(LongSupplier head) {
    long h = head.getAsLong();
    long max = 0;
    for (SseSession s : sessions) {
      max = Math.max(max, h - s.position());
    }
    return max;
  }

  private void beat() {
    for (SseSession s : sessions) {
      try {
        writers.execute(() -> s.heartbeatIfIdle(heartbeatNanos));
      } catch (RejectedExecutionException stopping) {
        return;
      }
    }
  }

  private void announceLive() {
    for (SseSession s : sessions) {
      if (s.liveAnnouncementDue()) {
        try {
          writers.execute(s::announceLiveIfDue);
        } catch (RejectedExecutionException stopping) {
          return;
        }
      }
    }
  }

  /**
   * Ends every stream with a final {@code $end} event and refuses new ones. The streams are ended all
   * at once: one whose client stopped reading keeps its subscription thread in a blocked write, and
   * ending it waits for that thread up to the subscription's close timeout — one after another,
   * twenty such clients held a shutdown for minutes.
   */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    List<CompletableFuture<Void>> ending = new ArrayList<>();
    for (SseSession s : sessions) {
      ending.add(s.done());
      try {
        writers.execute(() -> s.end("server shutting down"));
      } catch (RejectedExecutionException stopping) {
        s.end("server shutting down");
      }
    }
    try {
      CompletableFuture.allOf(ending.toArray(CompletableFuture[]::new)).get(END_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // streams still stuck in a write end when the HTTP server closes their connections
    }
    writers.shutdownNow();
  }
}
