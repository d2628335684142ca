package dev.meshroll.host.spec;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.analysis.Condition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code AnalysisTemplate} document: the metrics an analysis measures and the arguments
 * their queries take.
 *
 * @param ref its namespace and name; rollouts of the same namespace refer to it by name
 */
public record AnalysisTemplate(String file, RolloutRef ref, List<Arg> args, List<Metric> metrics) {
  public AnalysisTemplate {
    args = List.copyOf(args);
    metrics = List.copyOf(metrics);
  }

  /**
   * Where a metric's provider block is, for messages: {@code file: spec.metrics[0].provider.web}.
   */
  public String providerPath(Metric metric) {
    return file + ": spec.metrics[" + metrics.indexOf(metric) + "].provider." + metric.provider();
  }

  /** An argument of the template, with its default value if it has one. */
  public record Arg(String name, Optional<String> value) {}

  /**
   * One metric: where it is measured, how often, and what counts as success or failure.
   *
   * @param provider the provider's id, e.g. {@code prometheus}
   * @param providerConfig the provider's block, validated by the provider itself
   * @param count how many measurements; empty means until the analysis is stopped
   * @param successCondition a CEL expression over {@code result}, compiled
   * @param failureCondition a CEL expression over {@code result}, compiled
   * @param noData what a measurement without data (an empty vector, NaN) counts as
   * @param minSamples how many measurements with data the metric needs before it may succeed
   * @param dryRun measured and shown, but never decides the analysis
   */
  public record Metric(
      String name,
      String provider,
      Map<String, Object> providerConfig,
      Duration interval,
      Optional<Integer> count,
      Duration initialDelay,
      Optional<Condition> successCondition,
      Optional<Condition> failureCondition,
      int failureLimit,
      int inconclusiveLimit,
      int consecutiveErrorLimit,
      NoData noData,
      int minSamples,
      boolean dryRun) {}

  /** What a measurement without data counts as: an error (the default), or a verdict. */
  public enum NoData {
    ERROR,
    INCONCLUSIVE,
    FAILURE,
    SUCCESS
  }
}
