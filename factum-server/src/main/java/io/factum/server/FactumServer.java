package io.factum.server;

import io.factum.api.EventStore;
import io.factum.core.projection.ProjectionRunner;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.Map;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The Factum server: the HTTP/JSON API, Server-Sent Events subscriptions, {@code /health}, {@code
 * /metrics} and the web UI at {@code /ui/}, in front of one {@link EventStore}.
 *
 * <pre>{@code
 * try (FactumServer server = FactumServer.start(EmbeddedEventStore.open(dir), ServerOptions.DEFAULT)) {
 *   System.out.println("serving " + server.uri());
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} shuts down gracefully: new requests get 503, requests in flight (appends
 * included) finish within {@link ServerOptions#shutdownGrace()}, every event stream ends with a
 * final {@code $end} event, then the store is closed if the server opened it. Thread-safe.
 */
public final class FactumServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(FactumServer.class.getName());

  /** This build's version, as {@code /info} reports it. */
  public static final String VERSION = "0.1.0-SNAPSHOT";

  private final EventStore store;
  private final boolean ownsStore;
  private final ServerOptions options;
  private final ServerMetrics metrics = new ServerMetrics();
  private final SseHub hub;
  private final StreamCatalog catalog = new StreamCatalog();
  private final ProjectionRunner projections;
  private final HttpApi api;
  private final Javalin app;
  private volatile boolean closed;

  private FactumServer(EventStore store, boolean ownsStore, ServerOptions options) {
    this.store = store;
    this.ownsStore = ownsStore;
    this.options = options;
    this.hub = new SseHub(options.maxSubscribers(), options.heartbeat());
    this.projections = new ProjectionRunner(store);
    this.api = new HttpApi(store, options, hub, catalog, projections, metrics);
    this.app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.http.prefer405over404 = true;
      cfg.http.asyncTimeout = 0;
      cfg.http.maxRequestSize = Long.MAX_VALUE; // bodies are read and limited by the API itself
      cfg.router.ignoreTrailingSlashes = false;
      cfg.staticFiles.add(sf -> {
        sf.hostedPath = "/ui";
        sf.directory = "/io/factum/server/ui";
        sf.location = Location.CLASSPATH;
      });
      cfg.jetty.addConnector((server, http) -> {
        // Stream ids may hold '/' (sent as %2F) and other characters Jetty's default compliance rejects.
        http.setUriCompliance(UriCompliance.from(java.util.EnumSet.of(
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
            UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
            UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS)));
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        return connector;
      });
      cfg.jetty.modifyServletContextHandler(h -> {
        h.getServletHandler().setDecodeAmbiguousURIs(true);
        // A request leaves the servlet context only after its response was written and closed: that,
        // not Javalin's after-handlers (which run before the response is written), ends it for drain().
        h.addEventListener(new ServletRequestListener() {
          @Override
          public void requestDestroyed(ServletRequestEvent event) {
            api.requestEnded(event.getServletRequest());
          }
        });
      });
      cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      cfg.requestLogger.http(api::logged);
      api.register(cfg.routes);
    });
    metrics.gauge("factum.head.position", "Global position of the newest event", store, s -> safeHead(s));
    metrics.gauge("factum.streams", "Streams in the catalog", catalog, c -> c.streamCount());
    metrics.gauge("factum.sse.subscribers", "Open Server-Sent Events streams", hub, h -> h.size());
    metrics.gauge("factum.sse.max.lag.events", "Positions the furthest-behind event stream trails the head", hub,
        h -> h.maxLag(() -> (long) safeHead(store)));
    metrics.gauge("factum.projection.lag.events", "Positions a projection trails the head", Map.of("projection", StreamCatalog.NAME),
        () -> projections.status(StreamCatalog.NAME).lag());
  }

  private static double safeHead(EventStore s) {
    try {
      return s.headPosition();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Serves {@code store} (which stays open after {@link #close()}: the caller owns it). */
  public static FactumServer start(EventStore store, ServerOptions options) {
    return new FactumServer(store, false, options).begin();
  }

  /** Opens the configured storage and serves it; the store closes with the server. */
  public static FactumServer open(ServerConfig config) {
    return startOwning(config.openStore(), config.options().withStorageName(config.describeStorage()));
  }

  /** Serves {@code store} and closes it with the server. */
  public static FactumServer startOwning(EventStore store, ServerOptions options) {
    FactumServer server;
    try {
      server = new FactumServer(store, true, options);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return server.begin();
  }

  private FactumServer begin() {
    projections.start(catalog);
    try {
      app.start();
    } catch (RuntimeException e) {
      projections.close();
      hub.close();
      metrics.close();
      if (ownsStore) {
        store.close();
      }
      throw new IllegalStateException("Cannot listen on " + options.host() + ":" + options.port() + ": " + rootMessage(e)
          + (options.port() != 0 ? "; is another server using the port? Pick another with --port" : ""), e);
    }
    LOG.log(Level.INFO, "Factum {0} serving {1} storage at {2} (web UI: {2}ui/)", VERSION, options.storageName(), uri());
    return this;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /** The port the server listens on (the one chosen when {@link ServerOptions#port()} was 0). */
  public int port() {
    return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
  }

  /** The server's base address, e.g. {@code http://127.0.0.1:2113/}. */
  public URI uri() {
    String host = options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
  }

  /** The store being served. */
  public EventStore store() {
    return store;
  }

  /**
   * The projections this server runs and shows at {@code /projections}: the stream catalog, plus any
   * an embedding application starts here.
   */
  public ProjectionRunner projections() {
    return projections;
  }

  /** Shuts down gracefully (see the class comment). Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    LOG.log(Level.INFO, "Factum shutting down: finishing requests in flight, ending event streams");
    api.drain(options.shutdownGrace());
    hub.close();
    projections.close();
    app.stop();
    metrics.close();
    if (ownsStore) {
      store.close();
    }
    LOG.log(Level.INFO, "Factum stopped");
  }
}
