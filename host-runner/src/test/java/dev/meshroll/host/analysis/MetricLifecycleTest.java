package dev.meshroll.host.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.Measurement;
import dev.meshroll.host.engine.MetricResult;
import dev.meshroll.host.engine.MetricResult.Outcome;
import dev.meshroll.host.engine.RunPhase;
import dev.meshroll.host.spec.AnalysisTemplate.Metric;
import dev.meshroll.host.spec.AnalysisTemplate.NoData;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The life of a metric over scripted measurements and a clock that only the test moves. */
class MetricLifecycleTest {
  private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");

  /** A metric: error ratio below 5%, measured every 30 s, 5 times, Argo's default limits. */
  private static Metric metric() {
    return new Metric(
        "error-ratio",
        "prometheus",
        Map.of(),
        Duration.ofSeconds(30),
        Optional.of(5),
        Duration.ZERO,
        Optional.of(Condition.compile("result < 0.05")),
        Optional.empty(),
        0,
        0,
        4,
        NoData.ERROR,
        0,
        false);
  }

  private static Metric with(Metric m, int failureLimit, int inconclusiveLimit, int errorLimit) {
    return new Metric(
        m.name(),
        m.provider(),
        m.providerConfig(),
        m.interval(),
        m.count(),
        m.initialDelay(),
        m.successCondition(),
        m.failureCondition(),
        failureLimit,
        inconclusiveLimit,
        errorLimit,
        m.noData(),
        m.minSamples(),
        m.dryRun());
  }

  /** Feeds {@code measurements} one per interval and returns the metric after each. */
  private static List<MetricResult> run(Metric metric, Measurement... measurements) {
    List<MetricResult> after = new ArrayList<>();
    MetricResult result = MetricLifecycle.begin(metric);
    Instant now = START;
    for (Measurement measurement : measurements) {
      now = MetricLifecycle.nextAt(metric, result, START).orElseThrow();
      result =
          MetricLifecycle.record(metric, result, MetricLifecycle.judge(metric, measurement, now));
      after.add(result);
    }
    return after;
  }

  private static MetricResult last(List<MetricResult> results) {
    return results.get(results.size() - 1);
  }

  private static Measurement value(Object result) {
    return new Measurement.Value(result);
  }

  @Nested
  class Count {
    @Test
    void succeedsWhenCountIsReachedWithinTheLimits() {
      List<MetricResult> results =
          run(metric(), value(0.01), value(0.02), value(0.01), value(0.03), value(0.04));
      assertThat(results)
          .extracting(MetricResult::phase)
          .containsExactly(
              RunPhase.RUNNING,
              RunPhase.RUNNING,
              RunPhase.RUNNING,
              RunPhase.RUNNING,
              RunPhase.SUCCESSFUL);
      assertThat(last(results).measured()).isEqualTo(5);
      assertThat(last(results).successful()).isEqualTo(5);
      assertThat(last(results).message())
          .isEqualTo("5 measured, 5 successful; last: 0.04 meets successCondition `result < 0.05`");
    }

    @Test
    void aMetricWithoutCountRunsUntilStopped() {
      Metric background =
          new Metric(
              "m",
              "web",
              Map.of(),
              Duration.ofSeconds(10),
              Optional.empty(),
              Duration.ZERO,
              Optional.of(Condition.compile("result")),
              Optional.empty(),
              0,
              0,
              4,
              NoData.ERROR,
              0,
              false);
      Measurement[] many = new Measurement[50];
      java.util.Arrays.fill(many, value(true));
      assertThat(last(run(background, many)).phase()).isEqualTo(RunPhase.RUNNING);
      assertThat(last(run(background, many)).measured()).isEqualTo(50);
    }
  }

  @Nested
  class Limits {
    @Test
    void failsOnTheFirstFailureByDefault() {
      MetricResult result = last(run(metric(), value(0.01), value(0.31)));
      assertThat(result.phase()).isEqualTo(RunPhase.FAILED);
      assertThat(result.message())
          .isEqualTo(
              "0.31 does not meet successCondition `result < 0.05`; 1 failed (failureLimit 0)");
    }

    @Test
    void failureLimitAllowsThatManyFailures() {
      Metric tolerant = with(metric(), 2, 0, 4);
      List<MetricResult> results =
          run(tolerant, value(0.31), value(0.01), value(0.32), value(0.33));
      assertThat(results)
          .extracting(MetricResult::phase)
          .containsExactly(RunPhase.RUNNING, RunPhase.RUNNING, RunPhase.RUNNING, RunPhase.FAILED);
      assertThat(last(results).failed()).isEqualTo(3);
    }

    @Test
    void twoConditionsThatBothHoldNeitherAreInconclusive() {
      Metric both =
          new Metric(
              "latency",
              "web",
              Map.of(),
              Duration.ofSeconds(10),
              Optional.of(3),
              Duration.ZERO,
              Optional.of(Condition.compile("result < 200")),
              Optional.of(Condition.compile("result > 500")),
              0,
              1,
              4,
              NoData.ERROR,
              0,
              false);
      List<MetricResult> results = run(both, value(300), value(100), value(350));
      assertThat(results.get(0).recent().get(0).outcome()).isEqualTo(Outcome.INCONCLUSIVE);
      assertThat(results.get(0).phase()).isEqualTo(RunPhase.RUNNING); // within inconclusiveLimit 1
      assertThat(last(results).phase()).isEqualTo(RunPhase.INCONCLUSIVE);
      assertThat(last(results).message())
          .isEqualTo(
              "350 meets neither successCondition `result < 200` nor failureCondition;"
                  + " 2 inconclusive (inconclusiveLimit 1)");
      assertThat(last(run(both, value(600))).phase()).isEqualTo(RunPhase.FAILED); // failure wins
    }

    @Test
    void onlyAFailureConditionPassesWhatItDoesNotMeet() {
      Metric failureOnly =
          new Metric(
              "5xx",
              "web",
              Map.of(),
              Duration.ZERO,
              Optional.of(1),
              Duration.ZERO,
              Optional.empty(),
              Optional.of(Condition.compile("result > 10")),
              0,
              0,
              4,
              NoData.ERROR,
              0,
              false);
      assertThat(last(run(failureOnly, value(3))).phase()).isEqualTo(RunPhase.SUCCESSFUL);
      assertThat(last(run(failureOnly, value(11))).phase()).isEqualTo(RunPhase.FAILED);
    }
  }

  @Nested
  class Errors {
    @Test
    void consecutiveErrorsBeyondTheLimitFail() {
      Measurement down = new Measurement.Error("connection refused: 127.0.0.1:9090");
      List<MetricResult> results = run(metric(), down, down, down, down, down);
      assertThat(results.subList(0, 4)).allMatch(r -> r.phase() == RunPhase.RUNNING);
      assertThat(last(results).phase()).isEqualTo(RunPhase.FAILED);
      assertThat(last(results).message())
          .isEqualTo(
              "5 errors in a row (consecutiveErrorLimit 4), the last: connection refused:"
                  + " 127.0.0.1:9090");
    }

    @Test
    void aGoodMeasurementResetsTheRunOfErrorsAndErrorsDoNotCountTowardCount() {
      Measurement down = new Measurement.Error("timeout");
      MetricResult result =
          last(run(metric(), down, down, down, down, value(0.01), down, down, down, down));
      assertThat(result.phase()).isEqualTo(RunPhase.RUNNING);
      assertThat(result.errors()).isEqualTo(8);
      assertThat(result.consecutiveErrors()).isEqualTo(4);
      assertThat(result.measured()).isEqualTo(1);
    }

    @Test
    void aConditionThatCannotJudgeTheValueIsAnError() {
      MetricResult result = last(run(metric(), value("n/a")));
      assertThat(result.recent().get(0).outcome()).isEqualTo(Outcome.ERROR);
      assertThat(result.recent().get(0).detail()).startsWith("the conditions cannot judge it: ");
    }
  }

  @Nested
  class NoDataPolicy {
    private Metric policy(NoData noData, int minSamples) {
      Metric m = metric();
      return new Metric(
          m.name(),
          m.provider(),
          m.providerConfig(),
          m.interval(),
          Optional.of(2),
          m.initialDelay(),
          Optional.of(Condition.compile("result[0] < 0.05")),
          m.failureCondition(),
          0,
          0,
          0,
          noData,
          minSamples,
          false);
    }

    @Test
    void byDefaultNoDataIsAnError() {
      MetricResult result =
          last(run(policy(NoData.ERROR, 0), new Measurement.NoData("query returned no series")));
      assertThat(result.phase()).isEqualTo(RunPhase.FAILED); // consecutiveErrorLimit 0
      assertThat(result.message()).endsWith("no data: query returned no series (noData: error)");
    }

    @Test
    void eachPolicyCountsNoDataAsItSays() {
      Measurement none = new Measurement.NoData("NaN");
      assertThat(last(run(policy(NoData.FAILURE, 0), none)).phase()).isEqualTo(RunPhase.FAILED);
      assertThat(last(run(policy(NoData.INCONCLUSIVE, 0), none)).phase())
          .isEqualTo(RunPhase.INCONCLUSIVE);
      assertThat(last(run(policy(NoData.SUCCESS, 0), none, none)).phase())
          .isEqualTo(RunPhase.SUCCESSFUL);
    }

    @Test
    void anEmptyVectorUnderAnIndexIsNoDataNotAFailure() {
      MetricResult result = last(run(policy(NoData.INCONCLUSIVE, 0), value(List.of())));
      assertThat(result.phase()).isEqualTo(RunPhase.INCONCLUSIVE);
      assertThat(result.recent().get(0).detail())
          .isEqualTo(
              "no data: the result is empty (Index out of bounds: 0) (noData: inconclusive)");
    }

    @Test
    void minSamplesKeepsAMetricFromSucceedingOnNothing() {
      Measurement none = new Measurement.NoData("NaN");
      MetricResult result = last(run(policy(NoData.SUCCESS, 2), value(List.of(0.01)), none));
      assertThat(result.phase()).isEqualTo(RunPhase.INCONCLUSIVE);
      assertThat(result.message()).isEqualTo("only 1 of 2 measurements had data (minSamples 2)");
      assertThat(
              last(run(policy(NoData.SUCCESS, 2), value(List.of(0.01)), value(List.of(0.02))))
                  .phase())
          .isEqualTo(RunPhase.SUCCESSFUL);
    }
  }

  @Nested
  class Timing {
    @Test
    void theFirstMeasurementWaitsForTheInitialDelayThenEveryInterval() {
      Metric m = metric();
      Metric delayed =
          new Metric(
              m.name(),
              m.provider(),
              m.providerConfig(),
              m.interval(),
              m.count(),
              Duration.ofMinutes(1),
              m.successCondition(),
              m.failureCondition(),
              0,
              0,
              4,
              m.noData(),
              0,
              false);
      MetricResult result = MetricLifecycle.begin(delayed);
      assertThat(MetricLifecycle.nextAt(delayed, result, START)).contains(START.plusSeconds(60));
      Instant first = START.plusSeconds(61); // measured a second late
      result =
          MetricLifecycle.record(
              delayed, result, MetricLifecycle.judge(delayed, value(0.0), first));
      assertThat(MetricLifecycle.nextAt(delayed, result, START)).contains(first.plusSeconds(30));
    }

    @Test
    void anErrorOfASingleMeasurementIsRetriedSoon() {
      Metric once =
          new Metric(
              "once",
              "web",
              Map.of(),
              Duration.ZERO,
              Optional.of(1),
              Duration.ZERO,
              Optional.of(Condition.compile("result")),
              Optional.empty(),
              0,
              0,
              4,
              NoData.ERROR,
              0,
              false);
      MetricResult result =
          MetricLifecycle.record(
              once,
              MetricLifecycle.begin(once),
              MetricLifecycle.judge(once, new Measurement.Error("503"), START));
      assertThat(MetricLifecycle.nextAt(once, result, START))
          .contains(START.plus(MetricLifecycle.ERROR_RETRY));
    }

    @Test
    void aFinishedMetricIsNotMeasuredAgain() {
      MetricResult failed = last(run(metric(), value(0.9)));
      assertThat(MetricLifecycle.nextAt(metric(), failed, START)).isEmpty();
    }

    @Test
    void theStatusKeepsOnlyTheLatestMeasurements() {
      Measurement[] many = new Measurement[25];
      for (int i = 0; i < many.length; i++) {
        many[i] = new Measurement.Error("e" + i);
      }
      MetricResult result = last(run(with(metric(), 0, 0, 100), many));
      assertThat(result.recent()).hasSize(MetricResult.RECENT);
      assertThat(result.recent().get(0).detail()).isEqualTo("e15");
    }
  }

  @Nested
  class Verdicts {
    private MetricResult finished(String name, RunPhase phase, boolean dryRun) {
      return new MetricResult(
          name, dryRun, phase, 1, 0, 0, 0, 0, 0, 0, List.of(), name + " said so");
    }

    @Test
    void oneFailedMetricFailsTheRunAtOnce() {
      assertThat(
              MetricLifecycle.verdict(
                  List.of(
                      finished("a", RunPhase.RUNNING, false),
                      finished("b", RunPhase.FAILED, false))))
          .isEqualTo(new MetricLifecycle.Verdict(RunPhase.FAILED, "b: b said so"));
    }

    @Test
    void theRunWaitsForEveryDecisiveMetric() {
      assertThat(
              MetricLifecycle.verdict(
                      List.of(
                          finished("a", RunPhase.SUCCESSFUL, false),
                          finished("b", RunPhase.RUNNING, false)))
                  .phase())
          .isEqualTo(RunPhase.RUNNING);
      assertThat(
              MetricLifecycle.verdict(
                      List.of(
                          finished("a", RunPhase.SUCCESSFUL, false),
                          finished("b", RunPhase.INCONCLUSIVE, false)))
                  .phase())
          .isEqualTo(RunPhase.INCONCLUSIVE);
    }

    @Test
    void dryRunMetricsNeverDecide() {
      assertThat(
              MetricLifecycle.verdict(
                      List.of(
                          finished("a", RunPhase.SUCCESSFUL, false),
                          finished("shadow", RunPhase.FAILED, true)))
                  .phase())
          .isEqualTo(RunPhase.SUCCESSFUL);
      assertThat(
              MetricLifecycle.verdict(
                      List.of(
                          finished("a", RunPhase.SUCCESSFUL, false),
                          finished("shadow", RunPhase.RUNNING, true)))
                  .phase())
          .isEqualTo(RunPhase.SUCCESSFUL);
      assertThat(
              MetricLifecycle.verdict(List.of(finished("shadow", RunPhase.FAILED, true))).phase())
          .isEqualTo(RunPhase.SUCCESSFUL);
    }
  }
}
