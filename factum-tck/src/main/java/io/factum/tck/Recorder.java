package io.factum.tck;

import static org.awaitility.Awaitility.await;

import io.factum.api.EventHandler;
import io.factum.api.RecordedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link EventHandler} that keeps what it received and checks it is never called concurrently. */
public class Recorder implements EventHandler {

  private final List<RecordedEvent> events = new ArrayList<>();
  private final AtomicInteger inside = new AtomicInteger();
  private volatile boolean overlapped;
  private volatile Thread lastThread;

  @Override
  public void handle(RecordedEvent event) throws Exception {
    if (inside.incrementAndGet() != 1) {
      overlapped = true;
    }
    try {
      lastThread = Thread.currentThread();
      onEvent(event);
      synchronized (events) {
        events.add(event);
      }
    } finally {
      inside.decrementAndGet();
    }
  }

  /** Hook for subclasses, called before the event is recorded; throwing rejects it. */
  protected void onEvent(RecordedEvent event) throws Exception {}

  public List<RecordedEvent> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  public int count() {
    synchronized (events) {
      return events.size();
    }
  }

  /** Whether the handler was ever entered while already running. */
  public boolean overlapped() {
    return overlapped;
  }

  public Thread lastThread() {
    return lastThread;
  }

  /** Waits (up to a minute: a liveness bound, not a speed claim) until {@code n} events arrived. */
  public List<RecordedEvent> awaitCount(int n) {
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(5)).until(() -> count() >= n);
    return events();
  }
}
