package dev.meshroll.api;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One measurement asked of a {@link MetricProvider}.
 *
 * @param rollout the rollout whose analysis asks
 * @param metric the metric's name in its AnalysisTemplate
 * @param config the provider's block of the metric, with every {@code {{args.NAME}}} already
 *     replaced by its value
 * @param timeout how long the provider may take; the host gives up on the call after it
 */
public record MetricQuery(
    RolloutRef rollout, String metric, Map<String, Object> config, Duration timeout) {
  public MetricQuery {
    Objects.requireNonNull(rollout, "rollout");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(timeout, "timeout");
    config = Trees.freeze(config);
  }
}
