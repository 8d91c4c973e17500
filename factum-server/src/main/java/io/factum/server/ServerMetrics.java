package io.factum.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics ({@code GET /metrics}): appends by outcome, events and bytes
 * written, append and request latency histograms, open event streams and how far they trail the
 * head, projection lag, and the JVM. Thread-safe.
 */
final class ServerMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> appendOutcomes = new ConcurrentHashMap<>();
  private final Counter eventsAppended;
  private final DistributionSummary bytesAppended;
  private final Timer appendLatency;
  private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();
  private final JvmGcMetrics gc = new JvmGcMetrics();

  ServerMetrics() {
    eventsAppended = Counter.builder("factum.events.appended").description("Events written by appends (retries not counted)").register(registry);
    bytesAppended = DistributionSummary.builder("factum.append.bytes").baseUnit("bytes")
        .description("Data plus metadata bytes per append").register(registry);
    appendLatency = Timer.builder("factum.append.latency").description("Time from a parsed append request to its durable result")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Counts an append that finished with {@code outcome} ({@code created}, {@code retry}, {@code conflict}, {@code invalid}, {@code error}). */
  void append(String outcome, int events, long bytes, long nanos) {
    appendOutcomes.computeIfAbsent(outcome, o -> Counter.builder("factum.appends").tag("outcome", o)
        .description("Append requests by outcome").register(registry)).increment();
    if (outcome.equals("created")) {
      eventsAppended.increment(events);
      bytesAppended.record(bytes);
    }
    if (nanos >= 0) {
      appendLatency.record(Duration.ofNanos(nanos));
    }
  }

  /** Times one HTTP request by method, route pattern and status. */
  void request(String method, String route, int status, long nanos) {
    String key = method + ' ' + route + ' ' + status;
    requestTimers.computeIfAbsent(key, k -> Timer.builder("factum.http.requests")
        .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(10))
        .description("HTTP requests by route").register(registry)).record(Duration.ofNanos(nanos));
  }

  <T> void gauge(String name, String description, T owner, ToDoubleFunction<T> value) {
    Gauge.builder(name, owner, value).description(description).register(registry);
  }

  void gauge(String name, String description, Map<String, String> tags, Supplier<Number> value) {
    Gauge.Builder<Supplier<Number>> b = Gauge.builder(name, value).description(description);
    tags.forEach(b::tag);
    b.register(registry);
  }

  /** The Prometheus text exposition of every meter. */
  String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
