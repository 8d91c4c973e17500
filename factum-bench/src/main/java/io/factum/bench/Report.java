package io.factum.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of one bench run: the machine, the JVM, the settings, every measurement and the ratios
 * that compare them. Written as JSON to {@code bench/results/} and as a Markdown table.
 */
public final class Report {

  private final String suite;
  private final Instant started = Instant.now();
  private final Map<String, Object> settings = new LinkedHashMap<>();
  private final List<Measurement> measurements = new ArrayList<>();
  private final List<Map<String, Object>> ratios = new ArrayList<>();

  public Report(String suite) {
    this.suite = suite;
  }

  public void setting(String key, Object value) {
    settings.put(key, value);
  }

  public Measurement add(Measurement m) {
    measurements.add(m);
    System.out.printf(Locale.ROOT, "  %-44s %s  median %s %s  (min %s, max %s)%n", m.name(), m.params(), format(m.median()), m.unit(),
        format(m.min()), format(m.max()));
    return m;
  }

  /** Records {@code of / against} (both medians) under a name, with the target it must meet, if any. */
  public double ratio(String name, Measurement of, Measurement against, Double target) {
    double value = of.median() / against.median();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("name", name);
    r.put("value", round(value, 3));
    r.put("of", of.name() + " " + of.params());
    r.put("against", against.name() + " " + against.params());
    if (target != null) {
      r.put("target", target);
      r.put("met", value >= target);
    }
    ratios.add(r);
    System.out.printf(Locale.ROOT, "  ratio %-38s %.3f%s%n", name, value, target == null ? "" : (value >= target ? "  (target " + target + " met)" : "  (target " + target + " MISSED)"));
    return value;
  }

  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("suite", suite);
    json.put("started", started.toString());
    json.put("machine", Machine.describe());
    json.put("settings", settings);
    List<Map<String, Object>> results = new ArrayList<>();
    for (Measurement m : measurements) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("name", m.name());
      r.put("params", m.params());
      r.put("unit", m.unit());
      r.put("median", significant(m.median()));
      r.put("min", significant(m.min()));
      r.put("max", significant(m.max()));
      r.put("samples", m.samples());
      r.putAll(m.extra());
      results.add(r);
    }
    json.put("results", results);
    json.put("ratios", ratios);
    String stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss").withZone(ZoneOffset.UTC).format(started);
    Path file = dir.resolve(stamp + "-" + suite + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    Files.writeString(dir.resolve(stamp + "-" + suite + ".md"), markdown());
    return file;
  }

  /** The results as a Markdown table (what {@code docs/performance.md} quotes). */
  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| measurement | parameters | median | min | max | unit |\n|---|---|---:|---:|---:|---|\n");
    for (Measurement m : measurements) {
      out.append("| ").append(m.name()).append(" | ").append(params(m.params())).append(" | ").append(format(m.median()))
          .append(" | ").append(format(m.min())).append(" | ").append(format(m.max())).append(" | ").append(m.unit());
      m.extra().forEach((k, v) -> out.append(", ").append(k).append(' ').append(format(v)));
      out.append(" |\n");
    }
    out.append("\n| ratio | value | target |\n|---|---:|---|\n");
    for (Map<String, Object> r : ratios) {
      out.append("| ").append(r.get("name")).append(" | ").append(r.get("value")).append(" | ")
          .append(r.containsKey("target") ? "≥ " + r.get("target") + (Boolean.TRUE.equals(r.get("met")) ? " ✔" : " ✘") : "")
          .append(" |\n");
    }
    return out.toString();
  }

  private static String params(Map<String, Object> params) {
    StringBuilder b = new StringBuilder();
    params.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v));
    return b.toString();
  }

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  /** Four significant digits: enough for a median, without pretending more. */
  private static double significant(double v) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return v;
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
