package dev.meshroll.bench;

import java.util.Arrays;
import java.util.List;

/** Percentiles and medians of measurements. */
final class Stats {
  private Stats() {}

  /** The {@code p}-th percentile (0-100) of {@code values}, by the nearest-rank method. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double median(List<Double> values) {
    return percentile(values.stream().mapToDouble(Double::doubleValue).toArray(), 50);
  }

  static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }

  /** Milliseconds from {@code start} to each of {@code times} ({@link System#nanoTime}). */
  static double[] millisSince(long start, long[] times) {
    double[] millis = new double[times.length];
    for (int i = 0; i < times.length; i++) {
      millis[i] = (times[i] - start) / 1e6;
    }
    return millis;
  }

  /** {@code a / b} formatted as a ratio, or "-" when either is missing. */
  static String ratio(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
      return "-";
    }
    return String.format("%.2fx", a / b);
  }
}
