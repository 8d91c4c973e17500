package io.factum.server;

import io.factum.api.EventStore;
import io.factum.core.InMemoryEventStore;
import io.factum.embedded.EmbeddedEventStore;
import io.factum.postgres.PostgresEventStore;
import io.factum.postgres.PostgresOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Everything {@code factum serve} needs: where to listen ({@link ServerOptions}) and which storage
 * to open. Resolved from three sources, the first that sets a key wins: command-line flags, a
 * properties file ({@code --config FILE} or {@code FACTUM_CONFIG}), and {@code FACTUM_*}
 * environment variables ({@code port} ↔ {@code FACTUM_PORT}, {@code jdbc-url} ↔ {@code
 * FACTUM_JDBC_URL}). Unknown keys in the file and bad values are errors that name the key and its
 * source.
 *
 * @param options how the server listens
 * @param storage {@code embedded} (default), {@code memory} or {@code postgres}
 * @param data the embedded store's directory, default {@code ./data}
 * @param jdbcUrl the PostgreSQL JDBC URL, required for {@code postgres}
 * @param jdbcUser PostgreSQL user, or null to take it from the URL
 * @param jdbcPassword PostgreSQL password, or null
 * @param pgSchema PostgreSQL schema for Factum's tables, default {@code public}
 * @param logFormat {@code text} (default) or {@code json} (one JSON object per line)
 */
public record ServerConfig(
    ServerOptions options, Storage storage, Path data, String jdbcUrl, String jdbcUser, String jdbcPassword, String pgSchema, String logFormat) {

  /** Where the server keeps its events. */
  public enum Storage {
    /** The durable embedded store in a directory (the default). */
    EMBEDDED,
    /** In memory, gone when the server stops: for demos and tests. */
    MEMORY,
    /** A PostgreSQL database. */
    POSTGRES
  }

  /** Every key, with its default, in the order {@code --help} lists them. */
  public static final Map<String, String> KEYS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("host", ServerOptions.DEFAULT.host());
    m.put("port", Integer.toString(ServerOptions.DEFAULT_PORT));
    m.put("storage", "embedded");
    m.put("data", "./data");
    m.put("jdbc-url", null);
    m.put("jdbc-user", null);
    m.put("jdbc-password", null);
    m.put("pg-schema", "public");
    m.put("heartbeat-seconds", "15");
    m.put("max-subscribers", "1000");
    m.put("idle-timeout-seconds", "60");
    m.put("shutdown-grace-seconds", "10");
    m.put("log-format", "text");
    return java.util.Collections.unmodifiableMap(m);
  }

  public ServerConfig {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(data, "data");
    if (storage == Storage.POSTGRES && (jdbcUrl == null || jdbcUrl.isBlank())) {
      throw new IllegalArgumentException("Storage 'postgres' needs a JDBC URL: --jdbc-url jdbc:postgresql://host:5432/db (or FACTUM_JDBC_URL)");
    }
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new IllegalArgumentException("log-format must be text or json, got '" + logFormat + "'");
    }
  }

  /** The environment variable of a key: {@code jdbc-url} → {@code FACTUM_JDBC_URL}. */
  public static String envName(String key) {
    return "FACTUM_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * Resolves a configuration.
   *
   * @param flags values given on the command line, by key (nulls are ignored); may hold {@code config}
   * @param env the environment ({@code System.getenv()})
   * @throws IllegalArgumentException naming the key, its source and what is allowed
   */
  public static ServerConfig resolve(Map<String, String> flags, Map<String, String> env) {
    String configFile = first(flags.get("config"), env.get("FACTUM_CONFIG"));
    Map<String, String> file = configFile == null ? Map.of() : readFile(Path.of(configFile));
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    for (Map.Entry<String, String> k : KEYS.entrySet()) {
      String key = k.getKey();
      if (flags.get(key) != null) {
        values.put(key, flags.get(key));
        sources.put(key, "--" + key);
      } else if (file.get(key) != null) {
        values.put(key, file.get(key));
        sources.put(key, key + " in " + configFile);
      } else if (env.get(envName(key)) != null) {
        values.put(key, env.get(envName(key)));
        sources.put(key, envName(key));
      } else {
        values.put(key, k.getValue());
        sources.put(key, "the default");
      }
    }
    for (String key : flags.keySet()) {
      if (!KEYS.containsKey(key) && !key.equals("config")) {
        throw new IllegalArgumentException("Unknown setting '" + key + "'; known: " + String.join(", ", KEYS.keySet()));
      }
    }
    ServerOptions options = new ServerOptions(
        values.get("host"),
        (int) number(values, sources, "port", 0, 65535),
        Duration.ofSeconds(number(values, sources, "heartbeat-seconds", 1, 3600)),
        (int) number(values, sources, "max-subscribers", 1, 1_000_000),
        Duration.ofSeconds(number(values, sources, "idle-timeout-seconds", 2, 86_400)),
        Duration.ofSeconds(number(values, sources, "shutdown-grace-seconds", 0, 3600)),
        values.get("storage").toLowerCase(Locale.ROOT));
    Storage storage;
    try {
      storage = Storage.valueOf(values.get("storage").trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("storage must be embedded, memory or postgres, got '" + values.get("storage")
          + "' (from " + sources.get("storage") + ")");
    }
    // A setting given for another storage is refused when it comes from a flag or the config file;
    // environment variables are ambient (an image may set FACTUM_DATA for every storage) and stay quiet.
    for (String key : List.of("jdbc-url", "jdbc-user", "jdbc-password", "pg-schema")) {
      if (storage != Storage.POSTGRES && givenExplicitly(sources.get(key))) {
        throw new IllegalArgumentException(key + " is for --storage postgres, but this server uses " + storage.name().toLowerCase(Locale.ROOT)
            + " storage (" + key + " from " + sources.get(key) + ", storage from " + sources.get("storage") + ")");
      }
    }
    if (storage != Storage.EMBEDDED && givenExplicitly(sources.get("data"))) {
      throw new IllegalArgumentException("data is for --storage embedded, but this server uses " + storage.name().toLowerCase(Locale.ROOT)
          + " storage (data from " + sources.get("data") + ", storage from " + sources.get("storage") + ")");
    }
    if (values.get("data").isBlank()) {
      throw new IllegalArgumentException("data must name a directory, got an empty value (from " + sources.get("data") + ")");
    }
    if (options.idleTimeout().compareTo(options.heartbeat().multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("idle-timeout-seconds (" + options.idleTimeout().toSeconds()
          + ") must be at least twice heartbeat-seconds (" + options.heartbeat().toSeconds() + ")");
    }
    return new ServerConfig(options, storage, Path.of(values.get("data")), values.get("jdbc-url"), values.get("jdbc-user"),
        values.get("jdbc-password"), values.get("pg-schema"), values.get("log-format").toLowerCase(Locale.ROOT));
  }

  /** Whether a value came from a flag or the config file (not the environment, not the default). */
  private static boolean givenExplicitly(String source) {
    return source.startsWith("--") || source.contains(" in ");
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  private static long number(Map<String, String> values, Map<String, String> sources, String key, long min, long max) {
    String text = values.get(key);
    long v;
    try {
      v = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + text + "' (from " + sources.get(key) + ")");
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(key + " must be from " + min + " to " + max + ", got " + v + " (from " + sources.get(key) + ")");
    }
    return v;
  }

  private static Map<String, String> readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("Config file " + file + " does not exist or is not a file");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : p.stringPropertyNames()) {
      if (!KEYS.containsKey(key)) {
        throw new IllegalArgumentException("Unknown setting '" + key + "' in " + file + "; known: " + String.join(", ", KEYS.keySet()));
      }
      out.put(key, p.getProperty(key).trim());
    }
    return out;
  }

  /** Opens the configured storage. */
  public EventStore openStore() {
    switch (storage) {
      case MEMORY:
        return InMemoryEventStore.create();
      case POSTGRES:
        return PostgresEventStore.connect(jdbcUrl, jdbcUser, jdbcPassword, PostgresOptions.DEFAULT.withSchema(pgSchema));
      default:
        return EmbeddedEventStore.open(data);
    }
  }

  /** A one-line description for logs and {@code /info}: {@code embedded (./data)}. */
  public String describeStorage() {
    switch (storage) {
      case MEMORY:
        return "memory";
      case POSTGRES:
        return "postgres (" + jdbcUrl.replaceAll("password=[^&]*", "password=***") + ")";
      default:
        return "embedded (" + data + ")";
    }
  }

  /** The keys in the order {@code --help} lists them. */
  public static List<String> keys() {
    return List.copyOf(KEYS.keySet());
  }
}
