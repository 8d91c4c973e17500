package io.factum.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.factum.api.AppendRequest;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.EventTooLargeException;
import io.factum.api.ExpectedVersion;
import io.factum.api.FactumException;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.InvalidEventException;
import io.factum.api.RecordedEvent;
import io.factum.api.Snapshot;
import io.factum.api.StorageException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamIds;
import io.factum.api.Subscription;
import io.factum.api.WrongExpectedVersionException;
import io.factum.core.projection.ProjectionRunner;
import io.factum.core.projection.ProjectionStatus;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The HTTP API of DESIGN.md "Server": routes, request parsing, responses and the mapping of every
 * failure to a JSON error. One instance per server; thread-safe (handlers keep no state of their own).
 */
final class HttpApi {

  private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());
  private static final String JSON = "application/json";
  private static final int MAX_PAGE = 10_000;
  /** Request attribute set once the API wrote a response body. */
  private static final String WRITTEN = "factum.written";

  private final EventStore store;
  private final ServerOptions options;
  private final SseHub hub;
  private final StreamCatalog catalog;
  private final ProjectionRunner projections;
  private final ServerMetrics metrics;
  private final Instant startedAt = Instant.now();
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Request attribute: this request is counted in {@link #inFlight} until {@link #requestEnded}. */
  private static final String COUNTED = "factum.counted";
  private final long maxBodyBytes;
  private volatile boolean draining;

  HttpApi(EventStore store, ServerOptions options, SseHub hub, StreamCatalog catalog, ProjectionRunner projections, ServerMetrics metrics) {
    this.store = store;
    this.options = options;
    this.hub = hub;
    this.catalog = catalog;
    this.projections = projections;
    this.metrics = metrics;
    StoreLimits limits = store.limits();
    // Base64 for binary data makes a body up to 4/3 of the payload; field names and ids add a little.
    this.maxBodyBytes = (long) limits.maxAppendBytes() * 4 / 3 + (1 << 20);
  }

  /** Registers every route and the error mapping. */
  void register(RoutesConfig r) {
    r.before(this::admit);

    r.post("/streams/<rest>", this::streamPost);
    r.get("/streams/<rest>", this::streamGet);
    r.put("/streams/<rest>", this::streamPut);
    r.delete("/streams/<rest>", this::streamDelete);
    r.get("/streams", this::listStreams);
    r.get("/all", this::readAll);
    r.get("/subscribe/all", this::subscribeAll);
    r.get("/subscribe/streams/<rest>", this::subscribeStream);
    r.get("/checkpoints", this::listCheckpoints);
    r.get("/checkpoints/<rest>", this::getCheckpoint);
    r.put("/checkpoints/<rest>", this::putCheckpoint);
    r.delete("/checkpoints/<rest>", this::deleteCheckpoint);
    r.get("/projections", this::listProjections);
    r.post("/projections/<rest>", this::projectionAction);
    r.get("/info", this::info);
    r.get("/stats", this::stats);
    r.get("/health", ctx -> health(ctx, true, true));
    r.get("/health/live", ctx -> health(ctx, true, false));
    r.get("/health/ready", ctx -> health(ctx, false, true));
    r.get("/metrics", this::metrics);
    r.get("/", ctx -> ctx.redirect("/ui/"));
    r.get("/ui", ctx -> ctx.redirect("/ui/"));

    r.exception(Exception.class, this::failure);
    // Javalin's own 404 and 405 (no route, or a route without that method) become JSON errors too;
    // responses the API already wrote (stream_not_found, …) are left alone.
    r.error(404, ctx -> {
      if (ctx.attribute(WRITTEN) == null) {
        error(ctx, ApiException.notFound("not_found", "No such resource: " + ctx.method() + " " + ctx.path()
            + "; the API is listed in docs/server.md (streams, all, subscribe, checkpoints, projections, info, stats, health, metrics)"));
      }
    });
    r.error(405, ctx -> {
      if (ctx.attribute(WRITTEN) == null) {
        error(ctx, new ApiException(405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()));
      }
    });
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  private void admit(Context ctx) {
    ctx.attribute("started", System.nanoTime());
    String path = ctx.path();
    if (path.startsWith("/health") || path.startsWith("/metrics") || path.startsWith("/ui")) {
      return;
    }
    if (draining) {
      throw new ApiException(503, "unavailable", "The server is shutting down; retry against another instance or in a moment");
    }
    if (!path.startsWith("/subscribe/")) {
      inFlight.incrementAndGet();
      ctx.attribute(COUNTED, Boolean.TRUE);
    }
  }

  /** Called once a request has left the servlet context, its response written and closed. */
  void requestEnded(ServletRequest request) {
    if (request.getAttribute(COUNTED) != null) {
      request.removeAttribute(COUNTED);
      inFlight.decrementAndGet();
    }
  }

  /** Refuses new requests (503) and waits up to {@code grace} for those in flight, responses written. */
  void drain(Duration grace) {
    draining = true;
    long deadline = System.nanoTime() + grace.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (inFlight.get() > 0) {
      LOG.log(Level.WARNING, "Stopping with {0} request(s) still in flight after {1} ms", inFlight.get(), grace.toMillis());
    }
  }

  boolean draining() {
    return draining;
  }

  // ---- streams --------------------------------------------------------------------------------

  private void streamPost(Context ctx) {
    List<String> seg = streamSegments(ctx);
    if (seg.size() != 1) {
      throw new ApiException(405, "method_not_allowed", "POST is for /streams/{id} (append); " + ctx.path() + " does not take it");
    }
    append(ctx, seg.get(0));
  }

  private void streamGet(Context ctx) {
    List<String> seg = streamSegments(ctx);
    if (seg.size() == 1) {
      readStream(ctx, seg.get(0));
    } else if (seg.get(1).equals("snapshot")) {
      Requests.onlyParams(ctx, Set.of());
      Snapshot s = store.snapshots().load(seg.get(0)).orElseThrow(() -> ApiException.notFound("snapshot_not_found",
          "Stream '" + seg.get(0) + "' has no snapshot"));
      json(ctx, 200, out -> JsonOut.snapshot(out, s));
    } else if (seg.get(1).equals("version")) {
      Requests.onlyParams(ctx, Set.of());
      OptionalLong v = store.streamVersion(seg.get(0));
      if (v.isEmpty()) {
        throw streamNotFound(seg.get(0));
      }
      json(ctx, 200, g -> {
        g.writeStartObject();
        g.writeStringField("stream_id", seg.get(0));
        g.writeNumberField("version", v.getAsLong());
        g.writeEndObject();
      });
    } else {
      throw unknownSubresource(ctx, seg);
    }
  }

  private void streamPut(Context ctx) {
    List<String> seg = streamSegments(ctx);
    if (!seg.get(seg.size() - 1).equals("snapshot") || seg.size() != 2) {
      throw new ApiException(405, "method_not_allowed", "PUT is for /streams/{id}/snapshot; " + ctx.path() + " does not take it");
    }
    Requests.onlyParams(ctx, Set.of());
    String streamId = seg.get(0);
    Snapshot snapshot = SnapshotBody.parse(streamId, Requests.body(ctx, maxBodyBytes));
    store.snapshots().save(snapshot);
    Snapshot now = store.snapshots().load(streamId).orElse(snapshot);
    json(ctx, 200, g -> JsonOut.snapshot(g, now));
  }

  private void streamDelete(Context ctx) {
    List<String> seg = streamSegments(ctx);
    if (seg.size() != 2 || !seg.get(1).equals("snapshot")) {
      throw new ApiException(405, "method_not_allowed", "Events are never deleted; DELETE is only for /streams/{id}/snapshot");
    }
    Requests.onlyParams(ctx, Set.of());
    store.snapshots().delete(seg.get(0));
    ctx.status(204);
  }

  private List<String> streamSegments(Context ctx) {
    List<String> seg = Requests.segmentsAfter(ctx, "/streams/");
    if (seg.get(0).isEmpty()) {
      throw ApiException.invalid("The stream id in the path is empty; use /streams/{id}, e.g. /streams/Order-1");
    }
    if (seg.size() > 2) {
      throw unknownSubresource(ctx, seg);
    }
    return seg;
  }

  private static ApiException unknownSubresource(Context ctx, List<String> seg) {
    return ApiException.notFound("not_found", "No such resource: " + ctx.path()
        + ". A stream id that contains '/' must be sent encoded as %2F; a stream has /snapshot and /version");
  }

  private void append(Context ctx, String streamId) {
    long t0 = System.nanoTime();
    Requests.onlyParams(ctx, Set.of());
    ExpectedVersion expected = ExpectedVersion.ANY;
    String header = ctx.header("Expected-Version");
    if (header != null) {
      expected = ExpectedVersion.parse(header);
    }
    List<EventData> events = AppendBody.parse(Requests.body(ctx, maxBodyBytes));
    AppendRequest request = AppendRequest.validate(streamId, expected, events, store.limits());
    AppendResult result;
    try {
      result = store.append(streamId, expected, events);
    } catch (WrongExpectedVersionException | IdempotencyConflictException e) {
      metrics.append("conflict", events.size(), request.totalBytes(), System.nanoTime() - t0);
      throw e;
    }
    metrics.append(result.alreadyAppended() ? "retry" : "created", events.size(), request.totalBytes(), System.nanoTime() - t0);
    ctx.status(result.alreadyAppended() ? 200 : 201).contentType(JSON).result(JsonOut.appendResult(result));
  }

  private void readStream(Context ctx, String streamId) {
    Requests.onlyParams(ctx, Set.of("from", "limit", "direction"));
    StreamIds.requireValid(streamId);
    String direction = Optional.ofNullable(Requests.param(ctx, "direction")).orElse("forward");
    boolean backward;
    if (direction.equals("forward")) {
      backward = false;
    } else if (direction.equals("backward")) {
      backward = true;
    } else {
      throw ApiException.invalid("Query parameter 'direction' must be forward or backward, got '" + AppendBody.clip(direction) + "'");
    }
    long from = Requests.longParam(ctx, "from", backward ? Long.MAX_VALUE : 1, 1, Long.MAX_VALUE);
    int limit = (int) Requests.longParam(ctx, "limit", 100, 1, MAX_PAGE);
    List<RecordedEvent> events = backward ? store.readStreamBackward(streamId, from, limit) : store.readStream(streamId, from, limit);
    if (events.isEmpty() && store.streamVersion(streamId).isEmpty()) {
      throw streamNotFound(streamId);
    }
    json(ctx, 200, g -> {
      g.writeStartObject();
      g.writeStringField("stream_id", streamId);
      g.writeArrayFieldStart("events");
      for (RecordedEvent e : events) {
        JsonOut.envelope(g, e);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  private static ApiException streamNotFound(String streamId) {
    return new ApiException(404, "stream_not_found", "Stream '" + streamId + "' does not exist", Map.of("stream_id", streamId));
  }

  private void readAll(Context ctx) {
    Requests.onlyParams(ctx, Set.of("after", "limit", "category", "event_type", "stream_prefix"));
    long after = Requests.longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) Requests.longParam(ctx, "limit", 1000, 1, MAX_PAGE);
    EventFilter filter = filter(ctx);
    long head = store.headPosition();
    List<RecordedEvent> events = store.readAll(after, limit, filter);
    // A short page examined everything up to the head read before it, matching or not.
    long last = events.isEmpty() ? after : events.get(events.size() - 1).globalPosition();
    long covered = events.size() < limit ? Math.max(last, Math.max(head, after)) : last;
    json(ctx, 200, g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("events");
      for (RecordedEvent e : events) {
        JsonOut.envelope(g, e);
      }
      g.writeEndArray();
      g.writeNumberField("last_position", covered);
      g.writeNumberField("head_position", Math.max(head, last));
      g.writeEndObject();
    });
  }

  private static EventFilter filter(Context ctx) {
    try {
      return new EventFilter(Set.copyOf(Requests.params(ctx, "category")), Set.copyOf(Requests.params(ctx, "event_type")),
          Set.copyOf(Requests.params(ctx, "stream_prefix")));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("Bad filter: " + e.getMessage());
    }
  }

  private void listStreams(Context ctx) {
    Requests.onlyParams(ctx, Set.of("prefix", "after", "limit"));
    String prefix = Optional.ofNullable(Requests.param(ctx, "prefix")).orElse("");
    String after = Requests.param(ctx, "after");
    int limit = (int) Requests.longParam(ctx, "limit", 100, 1, 1000);
    List<StreamCatalog.StreamInfo> page = catalog.list(prefix, after, limit);
    json(ctx, 200, g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("streams");
      for (StreamCatalog.StreamInfo s : page) {
        g.writeStartObject();
        g.writeStringField("stream_id", s.streamId());
        g.writeStringField("category", s.category());
        g.writeNumberField("version", s.version());
        g.writeNumberField("last_position", s.lastPosition());
        g.writeStringField("last_event_type", s.lastEventType());
        g.writeStringField("updated_at", s.updatedAt().toString());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("stream_count", catalog.streamCount());
      if (page.size() == limit) {
        g.writeStringField("next_after", page.get(page.size() - 1).streamId());
      } else {
        g.writeNullField("next_after");
      }
      g.writeEndObject();
    });
  }

  // ---- subscriptions over Server-Sent Events --------------------------------------------------

  private void subscribeAll(Context ctx) throws IOException {
    Requests.onlyParams(ctx, Set.of("after", "category", "event_type", "stream_prefix"));
    EventFilter filter = filter(ctx);
    long after;
    String resume = ctx.header("Last-Event-ID");
    if (resume != null && !resume.isBlank()) {
      after = lastEventId(resume);
    } else if ("head".equals(Requests.param(ctx, "after"))) {
      after = store.headPosition();
    } else {
      after = Requests.longParam(ctx, "after", 0, 0, Long.MAX_VALUE);
    }
    stream(ctx, "$all after " + after, after, session -> store.subscribeToAll(after, filter, session));
  }

  private void subscribeStream(Context ctx) throws IOException {
    Requests.onlyParams(ctx, Set.of("from"));
    List<String> seg = Requests.segmentsAfter(ctx, "/subscribe/streams/");
    if (seg.size() != 1 || seg.get(0).isEmpty()) {
      throw ApiException.invalid("Use /subscribe/streams/{id} with the stream id encoded as one path segment (%2F for '/')");
    }
    String streamId = seg.get(0);
    StreamIds.requireValid(streamId);
    long from = Requests.longParam(ctx, "from", 1, 1, Long.MAX_VALUE);
    long start = 0;
    String resume = ctx.header("Last-Event-ID");
    if (resume != null && !resume.isBlank()) {
      // Resume after the event at that global position: find its version in this stream.
      long position = lastEventId(resume);
      start = position;
      if (position > 0) {
        List<RecordedEvent> at = store.readAll(position - 1, 1);
        if (!at.isEmpty() && at.get(0).globalPosition() == position && at.get(0).streamId().equals(streamId)) {
          from = at.get(0).version() + 1;
        }
      }
    }
    long fromVersion = from;
    stream(ctx, "stream '" + streamId + "' from version " + fromVersion, start,
        session -> store.subscribeToStream(streamId, fromVersion, session));
  }

  private static long lastEventId(String header) {
    try {
      long v = Long.parseLong(header.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw ApiException.invalid("Header Last-Event-ID must be a global position (a whole number >= 0), got '" + AppendBody.clip(header) + "'");
    }
  }

  private void stream(Context ctx, String description, long startPosition, Function<SseSession, Subscription> subscribe) throws IOException {
    HttpServletResponse res = ctx.res();
    SseSession session = new SseSession(res.getOutputStream(), description, startPosition);
    hub.admit(session);
    try {
      res.setStatus(200);
      res.setContentType("text/event-stream;charset=utf-8");
      res.setHeader("Cache-Control", "no-cache");
      res.setHeader("X-Accel-Buffering", "no");
      session.open("subscribed to " + description);
      session.attach(subscribe.apply(session));
    } catch (RuntimeException | IOException | Error e) { // an Error too: a session left open would count against the limit for good
      // The 200 is already sent once the stream is open: say why it ends, as its last event.
      session.end(res.isCommitted() ? "subscription failed (" + toApi(e).code() + ")" : null);
      throw e;
    }
    ctx.future(session::done);
  }

  // ---- checkpoints, projections ---------------------------------------------------------------

  private String checkpointName(Context ctx) {
    List<String> seg = Requests.segmentsAfter(ctx, "/checkpoints/");
    if (seg.size() != 1 || seg.get(0).isEmpty()) {
      throw ApiException.invalid("Use /checkpoints/{name} with the name encoded as one path segment (%2F for '/')");
    }
    return seg.get(0);
  }

  /** {@code field: [{name, position, lag}]}, the lag against {@code head}. */
  private static void checkpointArray(JsonGenerator g, String field, Map<String, Long> checkpoints, long head) throws IOException {
    g.writeArrayFieldStart(field);
    for (Map.Entry<String, Long> c : checkpoints.entrySet()) {
      g.writeStartObject();
      g.writeStringField("name", c.getKey());
      g.writeNumberField("position", c.getValue());
      g.writeNumberField("lag", Math.max(0, head - c.getValue()));
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private void listCheckpoints(Context ctx) {
    Requests.onlyParams(ctx, Set.of());
    Map<String, Long> all = store.checkpoints().all();
    long head = store.headPosition();
    json(ctx, 200, g -> {
      g.writeStartObject();
      checkpointArray(g, "checkpoints", all, head);
      g.writeEndObject();
    });
  }

  private void getCheckpoint(Context ctx) {
    Requests.onlyParams(ctx, Set.of());
    String name = checkpointName(ctx);
    OptionalLong p = store.checkpoints().load(name);
    if (p.isEmpty()) {
      throw new ApiException(404, "checkpoint_not_found", "No checkpoint named '" + name + "'", Map.of("name", name));
    }
    checkpoint(ctx, name, p.getAsLong());
  }

  private void putCheckpoint(Context ctx) {
    Requests.onlyParams(ctx, Set.of());
    String name = checkpointName(ctx);
    long position = positionBody(Requests.body(ctx, 64 * 1024));
    store.checkpoints().save(name, position);
    checkpoint(ctx, name, position);
  }

  private void deleteCheckpoint(Context ctx) {
    Requests.onlyParams(ctx, Set.of());
    store.checkpoints().delete(checkpointName(ctx));
    ctx.status(204);
  }

  private void checkpoint(Context ctx, String name, long position) {
    json(ctx, 200, g -> {
      g.writeStartObject();
      g.writeStringField("name", name);
      g.writeNumberField("position", position);
      g.writeEndObject();
    });
  }

  /** {@code {"position": n}}, nothing else. */
  private static long positionBody(byte[] body) {
    String example = "; send {\"position\": 42}";
    try (JsonParser p = Requests.jsonParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw ApiException.invalid("The body must be a JSON object" + example);
      }
      Long position = null;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (!field.equals("position")) {
          throw ApiException.invalid("Unknown field '" + AppendBody.clip(field) + "'" + example);
        }
        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
          throw ApiException.invalid("'position' must be a whole number >= 0, got " + AppendBody.describe(v));
        }
        position = p.getLongValue();
      }
      if (p.nextToken() != null) {
        throw ApiException.invalid("The body has content after the object" + example);
      }
      if (position == null) {
        throw ApiException.invalid("'position' is missing" + example);
      }
      return position;
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("The body is not valid JSON: " + e.getOriginalMessage() + example);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void listProjections(Context ctx) {
    Requests.onlyParams(ctx, Set.of());
    List<ProjectionStatus> statuses = projections.statuses();
    Map<String, Long> checkpoints = store.checkpoints().all();
    long head = store.headPosition();
    json(ctx, 200, g -> {
      g.writeStartObject();
      g.writeNumberField("head_position", head);
      g.writeArrayFieldStart("projections");
      for (ProjectionStatus s : statuses) {
        projectionStatus(g, s);
      }
      g.writeEndArray();
      checkpointArray(g, "subscriptions", checkpoints, head);
      g.writeNumberField("live_streams", hub.size());
      g.writeEndObject();
    });
  }

  private static void projectionStatus(JsonGenerator g, ProjectionStatus s) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", s.name());
    g.writeStringField("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
    g.writeNumberField("position", s.position());
    g.writeNumberField("lag", s.lag());
    if (s.lastError() == null) {
      g.writeNullField("last_error");
    } else {
      g.writeStringField("last_error", s.lastError());
    }
    if (s.failedEvent() == null) {
      g.writeNullField("failed_event");
    } else {
      ProjectionStatus.FailedEvent f = s.failedEvent();
      g.writeObjectFieldStart("failed_event");
      g.writeNumberField("global_position", f.position());
      g.writeStringField("event_id", String.valueOf(f.eventId()));
      g.writeStringField("stream_id", f.streamId());
      g.writeNumberField("version", f.version());
      g.writeStringField("event_type", f.eventType());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private void projectionAction(Context ctx) throws Exception {
    Requests.onlyParams(ctx, Set.of());
    List<String> seg = Requests.segmentsAfter(ctx, "/projections/");
    if (seg.size() != 2 || !(seg.get(1).equals("reset") || seg.get(1).equals("restart"))) {
      throw ApiException.notFound("not_found", "Use POST /projections/{name}/reset (rebuild from scratch) or /restart (retry after a fault)");
    }
    String name = seg.get(0);
    try {
      if (seg.get(1).equals("reset")) {
        projections.reset(name);
      } else {
        projections.restart(name);
      }
    } catch (NoSuchElementException e) {
      throw new ApiException(404, "projection_not_found", e.getMessage(), Map.of("name", name));
    } catch (IllegalStateException e) { // a batch from before is still being applied
      throw new ApiException(409, "projection_busy", e.getMessage(), Map.of("name", name));
    }
    ProjectionStatus s = projections.status(name);
    json(ctx, 202, g -> projectionStatus(g, s));
  }

  // ---- operations -----------------------------------------------------------------------------

  private void info(Context ctx) {
    Requests.onlyParams(ctx, Set.of());
    StoreLimits limits = store.limits();
    long head = store.headPosition();
    json(ctx, 200, g -> {
      g.writeStartObject();
      g.writeStringField("name", "Factum");
      g.writeStringField("version", FactumServer.VERSION);
      g.writeStringField("storage", options.storageName());
      g.writeNumberField("head_position", head);
      g.writeObjectFieldStart("limits");
      g.writeNumberField("max_event_bytes", limits.maxEventBytes());
      g.writeNumberField("max_append_bytes", limits.maxAppendBytes());
      g.writeNumberField("max_request_bytes", maxBodyBytes);
      g.writeNumberField("max_page", MAX_PAGE);
      g.writeEndObject();
      g.writeStringField("started_at", startedAt.toString());
      g.writeEndObject();
    });
  }

  private void stats(Context ctx) {
    Requests.onlyParams(ctx, Set.of());
    long head = store.headPosition();
    json(ctx, 200, g -> {
      g.writeStartObject();
      g.writeStringField("storage", options.storageName());
      g.writeNumberField("head_position", head);
      g.writeNumberField("stream_count", catalog.streamCount());
      g.writeNumberField("catalog_position", catalog.position());
      g.writeObjectFieldStart("event_types");
      for (Map.Entry<String, Long> e : catalog.eventTypeCounts().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeObjectFieldStart("categories");
      for (Map.Entry<String, Long> e : catalog.categoryCounts().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("live_streams", hub.size());
      g.writeNumberField("uptime_seconds", Duration.between(startedAt, Instant.now()).toSeconds());
      g.writeEndObject();
    });
  }

  private void health(Context ctx, boolean live, boolean ready) {
    Requests.onlyParams(ctx, Set.of());
    String storage;
    try {
      store.headPosition();
      storage = "ok";
    } catch (RuntimeException e) {
      storage = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    boolean isReady = !draining && storage.equals("ok");
    boolean ok = !ready || isReady;
    String storageState = storage;
    json(ctx, ok ? 200 : 503, g -> {
      g.writeStartObject();
      g.writeStringField("status", ok ? "up" : draining ? "draining" : "down");
      if (live) {
        g.writeBooleanField("live", true);
      }
      if (ready) {
        g.writeBooleanField("ready", isReady);
        g.writeStringField("storage", storageState);
      }
      g.writeEndObject();
    });
  }

  private void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
  }

  /** Times and logs a finished request (Javalin's request logger). */
  void logged(Context ctx, Float ms) {
    String route = "unmatched";
    for (io.javalin.router.Endpoint e : ctx.endpoints().list()) {
      if (e.method == ctx.method()) {
        route = e.path;
      }
    }
    long nanos = ms == null ? 0 : (long) (ms * 1_000_000L);
    metrics.request(ctx.method().name(), route, ctx.statusCode(), nanos);
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, "{0} {1} -> {2} in {3} ms", ctx.method(), ctx.path(), ctx.statusCode(), ms);
    }
  }

  // ---- responses and errors -------------------------------------------------------------------

  /** Writes what {@code body} generates as the JSON response. */
  static void json(Context ctx, int status, JsonBody body) {
    try (JsonOut out = JsonOut.create()) {
      body.write(out.generator());
      ctx.status(status).contentType(JSON).result(out.bytes());
      ctx.attribute(WRITTEN, Boolean.TRUE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Generates a response body. */
  @FunctionalInterface
  interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }

  private void failure(Exception e, Context ctx) {
    ApiException api = toApi(e);
    if (api.status() >= 500) {
      LOG.log(Level.WARNING, ctx.method() + " " + ctx.path() + " failed: " + api.getMessage(), api.status() == 500 ? e : null);
    }
    if (ctx.res().isCommitted()) {
      return; // an event stream already under way: nothing more can be said
    }
    error(ctx, api);
  }

  static void error(Context ctx, ApiException api) {
    json(ctx, api.status(), g -> {
      g.writeStartObject();
      g.writeStringField("error", api.code());
      g.writeStringField("message", api.getMessage());
      for (Map.Entry<String, Object> f : api.facts().entrySet()) {
        Object v = f.getValue();
        if (v instanceof Long || v instanceof Integer) {
          g.writeNumberField(f.getKey(), ((Number) v).longValue());
        } else if (v == null) {
          g.writeNullField(f.getKey());
        } else {
          g.writeStringField(f.getKey(), v.toString());
        }
      }
      g.writeEndObject();
    });
  }

  private static Map<String, Object> facts(Object... keysAndValues) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  static ApiException toApi(Throwable e) {
    if (e instanceof ApiException) {
      return (ApiException) e;
    }
    if (e instanceof EventTooLargeException) {
      return ApiException.tooLarge(e.getMessage());
    }
    if (e instanceof InvalidEventException) {
      return ApiException.invalid(e.getMessage());
    }
    if (e instanceof WrongExpectedVersionException) {
      WrongExpectedVersionException w = (WrongExpectedVersionException) e;
      return new ApiException(409, "wrong_expected_version", w.getMessage(),
          facts("stream_id", w.streamId(), "expected", w.expected().toString(), "actual", w.actualVersion()));
    }
    if (e instanceof IdempotencyConflictException) {
      IdempotencyConflictException c = (IdempotencyConflictException) e;
      return new ApiException(409, "idempotency_conflict", c.getMessage(),
          facts("stream_id", c.streamId(), "event_id", String.valueOf(c.eventId()), "reason", c.reason()));
    }
    if (e instanceof StoreClosedException) {
      return new ApiException(503, "unavailable", "The store is closed; the server is shutting down");
    }
    if (e instanceof StorageException) {
      return new ApiException(503, "storage_unavailable", e.getMessage());
    }
    if (e instanceof FactumException) {
      return new ApiException(500, "internal", e.getMessage());
    }
    if (e instanceof HttpResponseException) {
      HttpResponseException h = (HttpResponseException) e;
      int status = h.getStatus();
      if (status == 404) {
        return ApiException.notFound("not_found", "No such resource; see the API at /ui/ or in docs/server.md");
      }
      if (status == 405) {
        return new ApiException(405, "method_not_allowed", "This path does not take that method");
      }
      return new ApiException(status, status >= 500 ? "internal" : "invalid_request", h.getMessage());
    }
    return new ApiException(500, "internal", "Unexpected error: " + e + "; see the server log");
  }
}
