package dev.meshroll.host.analysis;

import dev.meshroll.api.Measurement;
import dev.meshroll.host.engine.MetricResult;
import dev.meshroll.host.engine.MetricResult.Outcome;
import dev.meshroll.host.engine.MetricResult.Sample;
import dev.meshroll.host.engine.RunPhase;
import dev.meshroll.host.spec.AnalysisTemplate.Metric;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The life of one metric in an analysis run, as pure functions: when to measure next, what a
 * measurement counts as, and what the counts so far make of the metric. Argo Rollouts' rules, with
 * two differences: errors do not count toward {@code count} (the measurement is taken again), and
 * {@code minSamples} keeps a metric from succeeding on too few measurements with data.
 */
public final class MetricLifecycle {
  /** When a metric has no interval (a single measurement), how long until an error is retried. */
  static final Duration ERROR_RETRY = Duration.ofSeconds(2);

  private MetricLifecycle() {}

  /** A metric that has measured nothing yet. */
  public static MetricResult begin(Metric metric) {
    return new MetricResult(
        metric.name(), metric.dryRun(), RunPhase.RUNNING, 0, 0, 0, 0, 0, 0, 0, List.of(), "");
  }

  /**
   * When the next measurement is due; empty once the metric has finished.
   *
   * @param startedAt when the run started measuring this metric (its initial delay counts from it)
   */
  public static Optional<Instant> nextAt(Metric metric, MetricResult result, Instant startedAt) {
    if (result.phase().finished()) {
      return Optional.empty();
    }
    return Optional.of(
        result
            .last()
            .map(
                last ->
                    last.at()
                        .plus(
                            last.outcome() == Outcome.ERROR && metric.interval().isZero()
                                ? ERROR_RETRY
                                : metric.interval()))
            .orElse(startedAt.plus(metric.initialDelay())));
  }

  /** What one measurement counts as, by the metric's conditions and its {@code noData} policy. */
  public static Sample judge(Metric metric, Measurement measurement, Instant at) {
    if (measurement instanceof Measurement.Error error) {
      return new Sample(at, Outcome.ERROR, "", error.message());
    }
    if (measurement instanceof Measurement.NoData noData) {
      return noData(metric, noData.reason(), at);
    }
    Object result = ((Measurement.Value) measurement).result();
    String value = Values.describe(result);
    try {
      Optional<Condition> failure = metric.failureCondition();
      Optional<Condition> success = metric.successCondition();
      if (failure.isPresent() && failure.get().test(result)) {
        return new Sample(at, Outcome.FAILED, value, "meets failureCondition " + quote(failure));
      }
      if (success.isEmpty()) {
        return new Sample(
            at, Outcome.SUCCESSFUL, value, "does not meet failureCondition " + quote(failure));
      }
      if (success.get().test(result)) {
        return new Sample(
            at, Outcome.SUCCESSFUL, value, "meets successCondition " + quote(success));
      }
      return failure.isPresent()
          ? new Sample(
              at,
              Outcome.INCONCLUSIVE,
              value,
              "meets neither successCondition " + quote(success) + " nor failureCondition")
          : new Sample(
              at, Outcome.FAILED, value, "does not meet successCondition " + quote(success));
    } catch (IllegalArgumentException e) {
      if (isEmpty(result)) {
        // `result[0]` over an empty vector: the source had nothing to say, the condition is fine.
        return noData(metric, "the result is empty (" + e.getMessage() + ")", at);
      }
      return new Sample(
          at, Outcome.ERROR, value, "the conditions cannot judge it: " + e.getMessage());
    }
  }

  private static Sample noData(Metric metric, String reason, Instant at) {
    String detail =
        "no data: " + reason + " (noData: " + metric.noData().name().toLowerCase() + ")";
    Outcome outcome =
        switch (metric.noData()) {
          case ERROR -> Outcome.ERROR;
          case INCONCLUSIVE -> Outcome.INCONCLUSIVE;
          case FAILURE -> Outcome.FAILED;
          case SUCCESS -> Outcome.SUCCESSFUL;
        };
    return new Sample(at, outcome, "", detail);
  }

  private static boolean isEmpty(Object result) {
    return (result instanceof Collection<?> c && c.isEmpty())
        || (result instanceof Map<?, ?> m && m.isEmpty());
  }

  private static String quote(Optional<Condition> condition) {
    return condition.map(c -> "`" + c.expression().strip() + "`").orElse("");
  }

  /** The metric after {@code sample}: its counts, its latest measurements and its phase. */
  public static MetricResult record(Metric metric, MetricResult result, Sample sample) {
    Outcome outcome = sample.outcome();
    boolean error = outcome == Outcome.ERROR;
    int measured = result.measured() + (error ? 0 : 1);
    int successful = result.successful() + (outcome == Outcome.SUCCESSFUL ? 1 : 0);
    int failed = result.failed() + (outcome == Outcome.FAILED ? 1 : 0);
    int inconclusive = result.inconclusive() + (outcome == Outcome.INCONCLUSIVE ? 1 : 0);
    int errors = result.errors() + (error ? 1 : 0);
    int consecutiveErrors = error ? result.consecutiveErrors() + 1 : 0;
    int samples = result.samples() + (!error && !sample.value().isEmpty() ? 1 : 0);
    List<Sample> recent = new ArrayList<>(result.recent());
    recent.add(sample);
    if (recent.size() > MetricResult.RECENT) {
      recent.subList(0, recent.size() - MetricResult.RECENT).clear();
    }
    String latest = (sample.value().isEmpty() ? "" : sample.value() + " ") + sample.detail();
    RunPhase phase = RunPhase.RUNNING;
    String message;
    if (failed > metric.failureLimit()) {
      phase = RunPhase.FAILED;
      message = latest + "; " + failed + " failed (failureLimit " + metric.failureLimit() + ")";
    } else if (consecutiveErrors > metric.consecutiveErrorLimit()) {
      phase = RunPhase.FAILED;
      message =
          consecutiveErrors
              + " errors in a row (consecutiveErrorLimit "
              + metric.consecutiveErrorLimit()
              + "), the last: "
              + sample.detail();
    } else if (inconclusive > metric.inconclusiveLimit()) {
      phase = RunPhase.INCONCLUSIVE;
      message =
          latest
              + "; "
              + inconclusive
              + " inconclusive (inconclusiveLimit "
              + metric.inconclusiveLimit()
              + ")";
    } else if (metric.count().isPresent() && measured >= metric.count().get()) {
      if (samples < metric.minSamples()) {
        phase = RunPhase.INCONCLUSIVE;
        message =
            "only "
                + samples
                + " of "
                + measured
                + " measurements had data (minSamples "
                + metric.minSamples()
                + ")";
      } else {
        phase = RunPhase.SUCCESSFUL;
        message = measured + " measured, " + successful + " successful; last: " + latest;
      }
    } else {
      message =
          measured
              + metric.count().map(count -> "/" + count).orElse("")
              + " measured; last: "
              + latest;
    }
    return new MetricResult(
        result.name(),
        result.dryRun(),
        phase,
        measured,
        successful,
        failed,
        inconclusive,
        errors,
        consecutiveErrors,
        samples,
        recent,
        message);
  }

  /**
   * The run's phase from its metrics' phases: failed as soon as one decisive metric fails;
   * otherwise finished when every decisive metric has (inconclusive if one was). Dry-run metrics
   * never decide, but a run of nothing else ends, successful, when they do.
   */
  public static Verdict verdict(List<MetricResult> metrics) {
    List<MetricResult> decisive = metrics.stream().filter(m -> !m.dryRun()).toList();
    for (MetricResult metric : decisive) {
      if (metric.phase() == RunPhase.FAILED) {
        return new Verdict(RunPhase.FAILED, metric.name() + ": " + metric.message());
      }
    }
    List<MetricResult> awaited = decisive.isEmpty() ? metrics : decisive;
    if (awaited.stream().anyMatch(metric -> !metric.phase().finished())) {
      return new Verdict(RunPhase.RUNNING, summary(metrics));
    }
    for (MetricResult metric : decisive) {
      if (metric.phase() == RunPhase.INCONCLUSIVE) {
        return new Verdict(RunPhase.INCONCLUSIVE, metric.name() + ": " + metric.message());
      }
    }
    return new Verdict(RunPhase.SUCCESSFUL, summary(metrics));
  }

  private static String summary(List<MetricResult> metrics) {
    return String.join(
        "; ",
        metrics.stream()
            .map(
                metric ->
                    metric.name()
                        + (metric.dryRun() ? " (dry run)" : "")
                        + " "
                        + metric.phase().name().toLowerCase()
                        + metric.last().map(last -> " " + describe(last)).orElse(""))
            .toList());
  }

  private static String describe(Sample sample) {
    return sample.value().isEmpty() ? sample.outcome().name().toLowerCase() : sample.value();
  }

  /** A run's phase and what it rests on. */
  public record Verdict(RunPhase phase, String message) {}
}
