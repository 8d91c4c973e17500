package io.factum.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The server's logs: everything (Factum's own {@code System.Logger}, Jetty and Javalin through
 * SLF4J) goes through {@code java.util.logging} to standard error, one line per record, either as
 * text or as one JSON object per line ({@code {"time","level","logger","thread","message","error"}})
 * for log collectors. Jetty's and Javalin's start-up chatter is kept at WARNING.
 */
public final class Logs {

  /** Loggers whose level is set here; held so they are not collected, which would drop the level. */
  private static final java.util.List<Logger> CONFIGURED = new java.util.ArrayList<>();

  private Logs() {}

  /** Installs the given format ({@code text} or {@code json}) for the whole JVM. */
  public static void configure(String format) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler handler = new ConsoleHandler();
    handler.setLevel(Level.ALL);
    handler.setFormatter(format.equals("json") ? new JsonFormatter() : new TextFormatter());
    root.addHandler(handler);
    root.setLevel(Level.INFO);
    for (String quiet : new String[] {"org.eclipse.jetty", "io.javalin", "Javalin"}) {
      Logger logger = Logger.getLogger(quiet);
      logger.setLevel(Level.WARNING);
      CONFIGURED.add(logger);
    }
  }

  /** {@code 2026-11-26T22:00:00.123Z INFO  FactumServer: message}. */
  static final class TextFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      String logger = r.getLoggerName() == null ? "" : r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1);
      StringBuilder b = new StringBuilder().append(Instant.ofEpochMilli(r.getMillis())).append(' ')
          .append(String.format("%-7s", r.getLevel().getName())).append(' ').append(logger).append(": ").append(formatMessage(r)).append('\n');
      if (r.getThrown() != null) {
        StringWriter w = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(w));
        b.append(w);
      }
      return b.toString();
    }
  }

  /** One JSON object per line. */
  static final class JsonFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringBuilder b = new StringBuilder(256).append('{');
      field(b, "time", Instant.ofEpochMilli(r.getMillis()).toString()).append(',');
      field(b, "level", r.getLevel().getName()).append(',');
      field(b, "logger", r.getLoggerName() == null ? "" : r.getLoggerName()).append(',');
      field(b, "thread", Thread.currentThread().getName()).append(',');
      field(b, "message", formatMessage(r));
      if (r.getThrown() != null) {
        StringWriter w = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(w));
        b.append(',');
        field(b, "error", w.toString());
      }
      return b.append("}\n").toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
      b.append('"').append(name).append("\":\"");
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '"':
            b.append("\\\"");
            break;
          case '\\':
            b.append("\\\\");
            break;
          case '\n':
            b.append("\\n");
            break;
          case '\r':
            b.append("\\r");
            break;
          case '\t':
            b.append("\\t");
            break;
          default:
            if (c < 0x20) {
              b.append(String.format("\\u%04x", (int) c));
            } else {
              b.append(c);
            }
        }
      }
      return b.append('"');
    }
  }
}
