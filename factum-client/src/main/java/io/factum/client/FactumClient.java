package io.factum.client;

import io.factum.api.AppendRequest;
import io.factum.api.AppendResult;
import io.factum.api.CheckpointStore;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventHandler;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadArguments;
import io.factum.api.RecordedEvent;
import io.factum.api.SnapshotStore;
import io.factum.api.StorageException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreLimits;
import io.factum.api.Subscription;
import java.net.URI;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link EventStore} on a Factum server, over its HTTP API and Server-Sent Events: the same
 * contract, the same exceptions, so code (and the TCK) runs unchanged against a remote store.
 *
 * <pre>{@code
 * try (FactumClient store = FactumClient.connect("http://localhost:2113")) {
 *   store.append("Order-1", ExpectedVersion.NO_STREAM, EventData.json("OrderPlaced", "{\"total\":42}"));
 * }
 * }</pre>
 *
 * <p>Connections are pooled and reused (HTTP/1.1 keep-alive). Input is checked locally against the
 * server's limits before anything is sent. Reads page transparently through the server's page
 * limit. Subscriptions reconnect and resume by themselves (see {@link #subscribeToAll}). A request
 * whose connection fails raises {@link StorageException}; an append is retried once automatically
 * only when every event has an id (then a retry is idempotent). Thread-safe.
 */
public final class FactumClient implements EventStore {

  private static final AtomicLong SUBSCRIPTIONS = new AtomicLong();

  private final Transport transport;
  private final ClientOptions options;
  private final StoreLimits limits;
  private final int maxPage;
  private final CheckpointStore checkpoints;
  private final SnapshotStore snapshots;
  private final Set<RemoteSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService watchdog;
  private volatile boolean closed;

  private FactumClient(Transport transport, ClientOptions options, StoreLimits limits, int maxPage) {
    this.transport = transport;
    this.options = options;
    this.limits = limits;
    this.maxPage = maxPage;
    this.checkpoints = new RemoteCheckpoints(this);
    this.snapshots = new RemoteSnapshots(this);
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "factum-client-watchdog");
      t.setDaemon(true);
      return t;
    });
    long idle = options.streamIdleTimeout().toNanos();
    watchdog.scheduleWithFixedDelay(() -> subscriptions.forEach(s -> s.checkIdle(idle)), 1, 1, TimeUnit.SECONDS);
  }

  /** Connects to the server at {@code url} (e.g. {@code http://localhost:2113}) with default options. */
  public static FactumClient connect(String url) {
    return connect(URI.create(url), ClientOptions.DEFAULT);
  }

  /**
   * Connects to the server at {@code base}: asks it for its limits, which also checks that it is a
   * Factum server.
   *
   * @throws StorageException if the server cannot be reached or is not a Factum server
   */
  public static FactumClient connect(URI base, ClientOptions options) {
    String s = base.toString();
    URI normalized = URI.create(s.endsWith("/") ? s : s + "/");
    if (normalized.getScheme() == null || !(normalized.getScheme().equals("http") || normalized.getScheme().equals("https"))) {
      throw new IllegalArgumentException("The server address must be an http:// or https:// URL, got '" + base + "'");
    }
    Transport transport = new Transport(normalized, options);
    try {
      Transport.Response r = transport.send(Transport.Call.get("/info"), true);
      if (r.status() != 200) {
        throw new StorageException("The server at " + normalized + " answered " + r.status()
            + " to GET /info; is it a Factum server? " + Transport.error(r).getMessage());
      }
      Json.Doc info = Json.doc(r.body(), "limits");
      if (!"Factum".equals(info.string("name")) || info.raw("limits") == null) {
        throw new StorageException("The server at " + normalized + " is not a Factum server (GET /info lacks name and limits)");
      }
      Json.Doc l = Json.doc(info.raw("limits"));
      StoreLimits limits = new StoreLimits((int) l.number("max_event_bytes", StoreLimits.DEFAULT.maxEventBytes()),
          (int) l.number("max_append_bytes", StoreLimits.DEFAULT.maxAppendBytes()));
      int maxPage = (int) l.number("max_page", 1000);
      return new FactumClient(transport, options, limits, maxPage);
    } catch (RuntimeException e) {
      transport.close(); // its HTTP client and threads would otherwise outlive every failed connect
      throw e;
    }
  }

  /** The server's base address. */
  public URI uri() {
    return transport.base();
  }

  ClientOptions options() {
    return options;
  }

  Transport transport() {
    return transport;
  }

  void checkOpen() {
    if (closed) {
      throw new StoreClosedException("This client of " + transport.base() + " is closed; connect again to use the server");
    }
  }

  /** Sends a request after checking the client is open. */
  Transport.Response send(Transport.Call call, boolean idempotent) {
    checkOpen();
    return transport.send(call, idempotent);
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
    checkOpen();
    AppendRequest request = AppendRequest.validate(streamId, expected, events, limits);
    boolean idempotent = !request.hasEventsWithoutId();
    Transport.Response r = send(Transport.Call.post(Transport.path("streams", streamId), Json.appendBody(request.events()),
        expected.toString()), idempotent);
    if (r.status() == 200 || r.status() == 201) {
      return Json.appendResult(r.body());
    }
    throw Transport.error(r);
  }

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion, int maxCount) {
    ReadArguments.checkStreamRead(streamId, fromVersion, maxCount);
    return readStreamPaged(streamId, fromVersion, maxCount, false);
  }

  @Override
  public List<RecordedEvent> readStreamBackward(String streamId, long fromVersion, int maxCount) {
    ReadArguments.checkStreamRead(streamId, fromVersion, maxCount);
    return readStreamPaged(streamId, fromVersion, maxCount, true);
  }

  private List<RecordedEvent> readStreamPaged(String streamId, long fromVersion, int maxCount, boolean backward) {
    checkOpen();
    List<RecordedEvent> out = new ArrayList<>();
    long from = fromVersion;
    while (out.size() < maxCount) {
      int limit = Math.min(maxPage, maxCount - out.size());
      List<Map.Entry<String, String>> q = List.of(
          new SimpleEntry<>("from", Long.toString(from)),
          new SimpleEntry<>("limit", Integer.toString(limit)),
          new SimpleEntry<>("direction", backward ? "backward" : "forward"));
      Transport.Response r = send(Transport.Call.get(Transport.path("streams", streamId) + Transport.query(q)), true);
      if (r.status() == 404) {
        return out; // the stream does not exist: an empty read, as the contract says
      }
      if (r.status() != 200) {
        throw Transport.error(r);
      }
      List<RecordedEvent> page = Json.events(r.body(), "events");
      out.addAll(page);
      if (page.size() < limit) {
        break;
      }
      long last = page.get(page.size() - 1).version();
      if (backward && last <= 1) {
        break;
      }
      from = backward ? last - 1 : last + 1;
    }
    return out;
  }

  @Override
  public List<RecordedEvent> readAll(long afterPosition, int maxCount, EventFilter filter) {
    ReadArguments.checkAllRead(afterPosition, maxCount, filter);
    checkOpen();
    List<RecordedEvent> out = new ArrayList<>();
    long after = afterPosition;
    while (out.size() < maxCount) {
      int limit = Math.min(maxPage, maxCount - out.size());
      List<Map.Entry<String, String>> q = new ArrayList<>();
      q.add(new SimpleEntry<>("after", Long.toString(after)));
      q.add(new SimpleEntry<>("limit", Integer.toString(limit)));
      addFilter(q, filter);
      Transport.Response r = send(Transport.Call.get("/all" + Transport.query(q)), true);
      if (r.status() != 200) {
        throw Transport.error(r);
      }
      List<RecordedEvent> page = Json.events(r.body(), "events");
      out.addAll(page);
      if (page.size() < limit) {
        break;
      }
      after = page.get(page.size() - 1).globalPosition();
    }
    return out;
  }

  static void addFilter(List<Map.Entry<String, String>> q, EventFilter filter) {
    filter.categories().stream().sorted().forEach(c -> q.add(new SimpleEntry<>("category", c)));
    filter.eventTypes().stream().sorted().forEach(t -> q.add(new SimpleEntry<>("event_type", t)));
    filter.streamPrefixes().stream().sorted().forEach(p -> q.add(new SimpleEntry<>("stream_prefix", p)));
  }

  @Override
  public OptionalLong streamVersion(String streamId) {
    io.factum.api.StreamIds.requireValid(streamId);
    Transport.Response r = send(Transport.Call.get(Transport.path("streams", streamId, "version")), true);
    if (r.status() == 404) {
      return OptionalLong.empty();
    }
    if (r.status() != 200) {
      throw Transport.error(r);
    }
    return OptionalLong.of(Json.doc(r.body()).number("version", 0));
  }

  @Override
  public long headPosition() {
    Transport.Response r = send(Transport.Call.get("/info"), true);
    if (r.status() != 200) {
      throw Transport.error(r);
    }
    return Json.doc(r.body()).number("head_position", 0);
  }

  /**
   * Subscribes over {@code GET /subscribe/all}. The subscription reconnects by itself after a lost
   * connection (growing delays up to {@link ClientOptions#maxReconnectDelay()}) and resumes after
   * the last event it delivered; it stops only when closed, when its handler throws, or when this
   * client closes.
   */
  @Override
  public Subscription subscribeToAll(long afterPosition, EventFilter filter, EventHandler handler) {
    ReadArguments.checkSubscribeToAll(afterPosition, filter, handler);
    checkOpen();
    List<Map.Entry<String, String>> base = new ArrayList<>();
    addFilter(base, filter);
    return start(new RemoteSubscription(this, "factum-client-subscription-" + SUBSCRIPTIONS.incrementAndGet(), afterPosition, 0,
        after -> {
          List<Map.Entry<String, String>> q = new ArrayList<>();
          q.add(new SimpleEntry<>("after", Long.toString(after)));
          q.addAll(base);
          return "/subscribe/all" + Transport.query(q);
        }, handler));
  }

  /** Subscribes over {@code GET /subscribe/streams/{id}}; reconnects like {@link #subscribeToAll}. */
  @Override
  public Subscription subscribeToStream(String streamId, long fromVersion, EventHandler handler) {
    ReadArguments.checkSubscribeToStream(streamId, fromVersion, handler);
    checkOpen();
    String path = Transport.path("subscribe", "streams", streamId);
    return start(new RemoteSubscription(this, "factum-client-subscription-" + SUBSCRIPTIONS.incrementAndGet(), 0, fromVersion,
        nextVersion -> path + Transport.query(List.of(new SimpleEntry<>("from", Long.toString(nextVersion)))), handler));
  }

  private Subscription start(RemoteSubscription s) {
    subscriptions.add(s);
    if (closed) {
      subscriptions.remove(s);
      throw new StoreClosedException("This client is closed");
    }
    s.start();
    return s;
  }

  void forget(RemoteSubscription s) {
    subscriptions.remove(s);
  }

  @Override
  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  @Override
  public SnapshotStore snapshots() {
    return snapshots;
  }

  /** The server's limits, fetched when connecting. */
  @Override
  public StoreLimits limits() {
    return limits;
  }

  /** Closes every subscription of this client; the server and its data are unaffected. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (RemoteSubscription s : List.copyOf(subscriptions)) {
      s.close();
    }
    watchdog.shutdownNow();
    transport.close();
  }
}
