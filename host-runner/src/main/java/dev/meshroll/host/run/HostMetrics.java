package dev.meshroll.host.run;

import dev.meshroll.api.Measurement;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.engine.MetricResult.Outcome;
import dev.meshroll.host.engine.Phase;
import dev.meshroll.host.engine.RolloutStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The host's Prometheus metrics: rollout phase, step and weights, and plugin calls. */
public final class HostMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Gauge phase =
      Gauge.builder()
          .name("meshroll_rollout_phase")
          .help("1 for the phase a rollout is in, 0 for the others")
          .labelNames("namespace", "name", "phase")
          .register(registry);
  private final Gauge step =
      Gauge.builder()
          .name("meshroll_rollout_step")
          .help("The index of the rollout's current step")
          .labelNames("namespace", "name")
          .register(registry);
  private final Gauge weight =
      Gauge.builder()
          .name("meshroll_rollout_weight_percent")
          .help("The percent of traffic the rollout sends to each version")
          .labelNames("namespace", "name", "version")
          .register(registry);
  private final Histogram stepDuration =
      Histogram.builder()
          .name("meshroll_step_duration_seconds")
          .help("How long steps took, from entering them to leaving them")
          .labelNames("namespace", "name")
          .classicUpperBounds(1, 5, 15, 60, 300, 900, 3600, 14400)
          .register(registry);
  private final Histogram pluginCalls =
      Histogram.builder()
          .name("meshroll_plugin_call_duration_seconds")
          .help("How long plugin calls took")
          .labelNames("router", "call")
          .classicUpperBounds(0.005, 0.025, 0.1, 0.5, 1, 5, 10, 30)
          .register(registry);
  private final Counter pluginErrors =
      Counter.builder()
          .name("meshroll_plugin_call_errors_total")
          .help("Plugin calls that threw or ran past their timeout")
          .labelNames("router", "call")
          .register(registry);

  private final Gauge analysisValue =
      Gauge.builder()
          .name("meshroll_analysis_value")
          .help("The latest value an analysis metric measured (numbers and one-sample vectors)")
          .labelNames("namespace", "name", "analysis", "metric")
          .register(registry);
  private final Counter measurements =
      Counter.builder()
          .name("meshroll_analysis_measurements_total")
          .help("Measurements of analysis metrics, by what they counted as")
          .labelNames("namespace", "name", "analysis", "metric", "outcome")
          .register(registry);

  // Which analysis metrics each rollout has shown, so that forget() can drop their series.
  private final Map<RolloutRef, Set<List<String>>> analysisSeries = new ConcurrentHashMap<>();

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Shows a rollout's new status; {@code previous} (may be null) says which labels to drop. */
  void rollout(RolloutRef ref, RolloutStatus previous, RolloutStatus current) {
    for (Phase each : Phase.values()) {
      phase
          .labelValues(ref.namespace(), ref.name(), each.name())
          .set(each == current.phase() ? 1 : 0);
    }
    step.labelValues(ref.namespace(), ref.name()).set(current.step());
    if (previous != null) {
      previous.traffic().weights().keySet().stream()
          .filter(version -> !current.traffic().weights().containsKey(version))
          .forEach(version -> weight.remove(ref.namespace(), ref.name(), version));
      if (previous.step() != current.step() || !previous.revision().equals(current.revision())) {
        Duration took = Duration.between(previous.stepStartedAt(), current.stepStartedAt());
        stepDuration.labelValues(ref.namespace(), ref.name()).observe(took.toMillis() / 1000.0);
      }
    }
    for (Map.Entry<String, Integer> each : current.traffic().weights().entrySet()) {
      weight.labelValues(ref.namespace(), ref.name(), each.getKey()).set(each.getValue());
    }
  }

  /** Forgets a rollout that is no longer managed. */
  void forget(RolloutRef ref, RolloutStatus last) {
    for (Phase each : Phase.values()) {
      phase.remove(ref.namespace(), ref.name(), each.name());
    }
    step.remove(ref.namespace(), ref.name());
    Set<List<String>> series = analysisSeries.remove(ref);
    if (series != null) {
      for (List<String> labels : series) {
        analysisValue.remove(ref.namespace(), ref.name(), labels.get(0), labels.get(1));
        for (Outcome outcome : Outcome.values()) {
          measurements.remove(
              ref.namespace(),
              ref.name(),
              labels.get(0),
              labels.get(1),
              outcome.name().toLowerCase());
        }
      }
    }
    if (last != null) {
      last.traffic()
          .weights()
          .keySet()
          .forEach(version -> weight.remove(ref.namespace(), ref.name(), version));
    }
  }

  /** Counts one measurement of an analysis metric and shows its value when it is a number. */
  void measured(
      RolloutRef ref, String analysis, String metric, Outcome outcome, Measurement measurement) {
    analysisSeries
        .computeIfAbsent(ref, key -> ConcurrentHashMap.newKeySet())
        .add(List.of(analysis, metric));
    measurements
        .labelValues(ref.namespace(), ref.name(), analysis, metric, outcome.name().toLowerCase())
        .inc();
    if (measurement instanceof Measurement.Value value) {
      Object result = value.result();
      if (result instanceof List<?> list && list.size() == 1) {
        result = list.get(0);
      }
      if (result instanceof Number number) {
        analysisValue
            .labelValues(ref.namespace(), ref.name(), analysis, metric)
            .set(number.doubleValue());
      }
    }
  }

  void pluginCall(String router, String call, Duration took, boolean failed) {
    pluginCalls.labelValues(router, call).observe(took.toNanos() / 1e9);
    if (failed) {
      pluginErrors.labelValues(router, call).inc();
    }
  }
}
