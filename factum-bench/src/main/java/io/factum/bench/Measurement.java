package io.factum.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured quantity: the samples of its repetitions and their summary. Throughput is reported as
 * the median of the repetitions; the spread (min, max) says how much to trust it.
 */
public record Measurement(String name, Map<String, Object> params, String unit, double[] samples, Map<String, Double> extra) {

  public Measurement {
    params = new LinkedHashMap<>(params);
    samples = samples.clone();
    extra = new LinkedHashMap<>(extra);
  }

  public static Measurement of(String name, Map<String, Object> params, String unit, double[] samples) {
    return new Measurement(name, params, unit, samples, Map.of());
  }

  public Measurement with(String key, double value) {
    Map<String, Double> more = new LinkedHashMap<>(extra);
    more.put(key, value);
    return new Measurement(name, params, unit, samples, more);
  }

  public double median() {
    return percentile(samples, 50);
  }

  public double min() {
    return Arrays.stream(samples).min().orElse(Double.NaN);
  }

  public double max() {
    return Arrays.stream(samples).max().orElse(Double.NaN);
  }

  /** Nearest-rank percentile of {@code values}. */
  public static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    if (p == 50 && sorted.length % 2 == 0) {
      return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** Nearest-rank percentile of {@code values} (sorted in place). */
  public static long percentile(long[] values, int length, double p) {
    if (length == 0) {
      return 0;
    }
    Arrays.sort(values, 0, length);
    int rank = (int) Math.ceil(p / 100.0 * length);
    return values[Math.max(0, Math.min(length - 1, rank - 1))];
  }
}
