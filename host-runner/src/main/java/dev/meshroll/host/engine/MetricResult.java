package dev.meshroll.host.engine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where one metric of an analysis run stands: its counts, its latest measurements and its phase.
 * Kept in the rollout's status, so that people see the values behind a verdict and a restarted host
 * goes on counting where it stopped.
 *
 * @param dryRun measured and shown, but never decides the run
 * @param measured measurements that gave a verdict (errors are retried, not counted)
 * @param samples measurements whose value a condition judged (not "no data")
 * @param consecutiveErrors errors since the last measurement that was not one
 * @param recent the latest measurements, oldest first, at most {@link #RECENT}
 * @param message what the metric's phase rests on, e.g. {@code 0.31 meets failureCondition ...}
 */
public record MetricResult(
    String name,
    boolean dryRun,
    RunPhase phase,
    int measured,
    int successful,
    int failed,
    int inconclusive,
    int errors,
    int consecutiveErrors,
    int samples,
    List<Sample> recent,
    String message) {
  /** How many measurements a status keeps per metric. */
  public static final int RECENT = 10;

  public MetricResult {
    recent = List.copyOf(recent);
  }

  /** The latest measurement, if any. */
  public Optional<Sample> last() {
    return recent.isEmpty() ? Optional.empty() : Optional.of(recent.get(recent.size() - 1));
  }

  /**
   * One measurement.
   *
   * @param value the measured value as text ({@code 0.031}, {@code [0.1, 0.2]}), empty when there
   *     was none
   * @param detail why it counts as {@code outcome}
   */
  public record Sample(Instant at, Outcome outcome, String value, String detail) {}

  /** What one measurement counts as. */
  public enum Outcome {
    SUCCESSFUL,
    FAILED,
    INCONCLUSIVE,
    ERROR
  }
}
