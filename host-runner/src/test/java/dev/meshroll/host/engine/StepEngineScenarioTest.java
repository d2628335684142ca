package dev.meshroll.host.engine;

import static dev.meshroll.host.engine.TestRollouts.BLUE_GREEN;
import static dev.meshroll.host.engine.TestRollouts.BLUE_GREEN_AUTO;
import static dev.meshroll.host.engine.TestRollouts.CANARY;
import static dev.meshroll.host.engine.TestRollouts.CANARY_PROMOTION;
import static dev.meshroll.host.engine.TestRollouts.SIMPLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.StringMatch;
import dev.meshroll.api.Verification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StepEngineScenarioTest {

  /** Runs {@link TestRollouts#CANARY} until it stands at {@code step}, every wait satisfied. */
  static Driver canaryAt(int step) {
    Driver driver = new Driver(CANARY).start();
    for (int guard = 0; driver.status().step() < step && guard < 50; guard++) {
      int current = driver.status().step();
      if (current == 4) {
        driver.finish("steps[4]", RunPhase.SUCCESSFUL, "latency p99 120ms");
      } else if (current == 3 || current == 5 && driver.wakeAt().isPresent()) {
        driver.wake();
      } else if (current == 8) {
        driver.command(Command.PROMOTE);
      } else {
        driver.converge();
      }
    }
    assertThat(driver.status().step()).isEqualTo(step);
    return driver;
  }

  static void assertStableOnly(Traffic traffic) {
    assertThat(traffic.weights()).isEqualTo(Map.of("stable", 100, "canary", 0));
    assertThat(traffic.headerRoutes()).isEmpty();
    assertThat(traffic.mirrorRoutes()).isEmpty();
  }

  @Nested
  class Canary {
    @Test
    void walksEveryStepKindToCompletion() {
      Driver driver = new Driver(CANARY).start();
      assertThat(driver.traffic().mirrorRoutes())
          .extracting(r -> r.name())
          .containsExactly("shadow");
      assertThat(driver.status().phase()).isEqualTo(Phase.PROGRESSING);

      driver.converge();
      assertThat(driver.traffic().headerRoutes())
          .extracting(r -> r.name())
          .containsExactly("tester");

      driver.converge();
      assertThat(driver.canary()).isEqualTo(10);
      assertThat(driver.runningRuns()).containsExactly("background");

      driver.converge();
      assertThat(driver.status().step()).isEqualTo(3);
      assertThat(driver.status().phase()).isEqualTo(Phase.PAUSED);
      assertThat(driver.wakeAt()).contains(driver.now().plus(Duration.ofMinutes(2)));

      driver.wake();
      assertThat(driver.runningRuns()).containsExactly("background", "steps[4]");

      driver.finish("steps[4]", RunPhase.SUCCESSFUL, "p99 120ms");
      assertThat(driver.traffic().weights())
          .isEqualTo(Map.of("stable", 80, "canary", 10, "baseline", 5, "candidate", 5));
      assertThat(driver.runningRuns()).containsExactly("background", "compare");

      driver.converge().wake();
      assertThat(driver.traffic().weights()).isEqualTo(Map.of("stable", 90, "canary", 10));
      assertThat(driver.runningRuns()).containsExactly("background");

      driver.converge();
      assertThat(driver.traffic().headerRoutes()).isEmpty();
      assertThat(driver.traffic().mirrorRoutes()).hasSize(1);

      driver.converge().converge();
      assertThat(driver.status().step()).isEqualTo(8);
      assertThat(driver.canary()).isEqualTo(50);
      assertThat(driver.status().phase()).isEqualTo(Phase.PAUSED);
      assertThat(driver.wakeAt()).isEmpty();

      driver.command(Command.PROMOTE);
      assertThat(driver.status().step()).isEqualTo(CANARY_PROMOTION);
      assertThat(driver.traffic().weights()).isEqualTo(Map.of("stable", 0, "canary", 100));
      assertThat(driver.traffic().mirrorRoutes()).isEmpty();

      driver.converge();
      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
      assertThat(driver.status().live()).isEqualTo("canary");
      assertThat(driver.lastEffects())
          .containsExactly(
              new Effect.StopAnalysis(backgroundRunId(driver)),
              new Effect.Release(driver.traffic()));
      assertThat(driver.applied())
          .extracting(Traffic::generation)
          .containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    private String backgroundRunId(Driver driver) {
      return driver.effects().stream()
          .filter(Effect.StartAnalysis.class::isInstance)
          .map(effect -> ((Effect.StartAnalysis) effect).run())
          .filter(AnalysisRun::background)
          .findFirst()
          .orElseThrow()
          .id();
    }

    @Test
    void waitsForEveryRouterAndShowsProgress() {
      Driver driver = new Driver(CANARY).start();
      driver.report("xds", Verification.converged());
      driver.report("istio", Verification.pending("812/1000 proxies"));

      assertThat(driver.status().step()).isZero();
      assertThat(driver.status().message())
          .isEqualTo(
              "steps[0] setMirrorRoute shadow 50%: waiting for routers"
                  + " (xds: converged; istio: pending 812/1000 proxies)");
      assertThat(driver.status().conditions().get(0))
          .isEqualTo(
              new RolloutStatus.Condition(
                  "RoutesConverged", false, "xds: converged; istio: pending 812/1000 proxies"));

      driver.report("istio", Verification.unsupported());
      assertThat(driver.status().step()).isEqualTo(1);
    }

    @Test
    void ignoresAnswersAboutAnOlderGeneration() {
      Driver driver = new Driver(SIMPLE).start();
      long stale = driver.traffic().generation() - 1;
      driver.decide(new Observation.RouterReport("xds", stale, Verification.failed("old NACK")));

      assertThat(driver.status().phase()).isEqualTo(Phase.PROGRESSING);
      assertThat(driver.status().routers()).isEmpty();
    }

    @Test
    void aFailedVerificationAbortsWithTheRoutersReason() {
      Driver driver = new Driver(SIMPLE).start();
      driver.report("xds", Verification.failed("NACK from node-7: weights sum to 0"));

      assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
      assertThat(driver.status().message())
          .isEqualTo(
              "aborted: router xds failed: NACK from node-7: weights sum to 0;"
                  + " rolling back to stable: waiting for routers (xds: applying generation 3)");
      assertStableOnly(driver.traffic());
      assertThat(driver.lastEffects())
          .containsExactly(
              new Effect.ApplyTraffic(driver.traffic()), new Effect.Release(driver.traffic()));
    }

    @Test
    void promoteEndsATimedPause() {
      Driver driver = new Driver(SIMPLE).start().converge();
      assertThat(driver.status().phase()).isEqualTo(Phase.PAUSED);
      assertThat(driver.wakeAt()).isPresent();

      driver.after(Duration.ofSeconds(10)).command(Command.PROMOTE);

      assertThat(driver.status().step()).isEqualTo(2);
      assertThat(driver.canary()).isEqualTo(60);
    }

    @Test
    void aTimedPauseEndsOnItsOwnAndNotBefore() {
      Driver driver = new Driver(SIMPLE).start().converge();
      driver.after(Duration.ofSeconds(59));
      assertThat(driver.status().step()).isEqualTo(1);

      driver.after(Duration.ofSeconds(1));
      assertThat(driver.status().step()).isEqualTo(2);
    }

    @Test
    void anIndefinitePauseWaitsForPromote() {
      Driver driver = canaryAt(8).after(Duration.ofDays(30));
      assertThat(driver.status().step()).isEqualTo(8);
      assertThat(driver.status().message())
          .isEqualTo("steps[8] pause until promoted: paused until promoted");

      driver.command(Command.PROMOTE);
      assertThat(driver.status().step()).isEqualTo(CANARY_PROMOTION);
    }

    @Test
    void promoteFullGoesStraightToTheNewVersion() {
      Driver driver = canaryAt(4);
      driver.command(Command.PROMOTE_FULL);

      assertThat(driver.status().step()).isEqualTo(CANARY_PROMOTION);
      assertThat(driver.traffic().weights()).containsEntry("canary", 100);
      assertThat(driver.runningRuns()).isEmpty();
      assertThat(driver.lastEffects()).filteredOn(Effect.StopAnalysis.class::isInstance).hasSize(2);

      driver.converge();
      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
    }

    @Test
    void aSetHeaderRouteWithoutMatchRemovesTheRoute() {
      Driver driver = canaryAt(6);
      Traffic before = driver.applied().get(driver.applied().size() - 2);

      assertThat(before.headerRoutes()).extracting(r -> r.name()).containsExactly("tester");
      assertThat(driver.traffic().headerRoutes()).isEmpty();
      assertThat(driver.traffic().mirrorRoutes())
          .extracting(r -> r.name())
          .containsExactly("shadow");
    }

    @Test
    void aMirrorRouteWithoutMatchIsRemoved() {
      Driver driver =
          new Driver(
                  """
                  apiVersion: meshroll.dev/v1alpha1
                  kind: Rollout
                  metadata: {name: ratings}
                  spec:
                    strategy:
                      canary:
                        trafficRouting:
                          managedRoutes: [{name: shadow}]
                          xds: {}
                        steps:
                        - setMirrorRoute: {name: shadow, match: [{path: {prefix: /api}}]}
                        - setMirrorRoute: {name: shadow}
                  """)
              .start();
      assertThat(driver.traffic().mirrorRoutes())
          .extracting(r -> r.percentage())
          .containsExactly(100);
      driver.converge();
      assertThat(driver.traffic().mirrorRoutes()).isEmpty();
    }
  }

  @Nested
  class Analysis {
    @Test
    void aFailedStepAnalysisAborts() {
      Driver driver = canaryAt(4);
      driver.finish(
          "steps[4]", RunPhase.FAILED, "latency p99 was 900ms (failureCondition result > 500)");

      assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
      assertThat(driver.status().message())
          .startsWith(
              "aborted: analysis steps[4] failed: latency p99 was 900ms (failureCondition result > 500);"
                  + " rolling back to stable: waiting for routers (xds: applying generation ");
      driver.converge();
      assertThat(driver.status().message())
          .isEqualTo(
              "aborted: analysis steps[4] failed: latency p99 was 900ms (failureCondition result > 500);"
                  + " rolled back, fleet converged: stable serves all traffic");
      assertStableOnly(driver.traffic());
      assertThat(driver.runningRuns()).isEmpty();
    }

    @Test
    void anInconclusiveAnalysisPausesUntilResumed() {
      Driver driver = canaryAt(4);
      driver.finish("steps[4]", RunPhase.INCONCLUSIVE, "2 of 5 measurements inconclusive");

      assertThat(driver.status().phase()).isEqualTo(Phase.PAUSED);
      assertThat(driver.status().step()).isEqualTo(4);
      assertThat(driver.status().message())
          .startsWith("analysis steps[4] was inconclusive: 2 of 5 measurements inconclusive");

      driver.after(Duration.ofHours(1));
      assertThat(driver.status().step()).isEqualTo(4);

      driver.command(Command.RESUME);
      assertThat(driver.status().step()).isEqualTo(5);
    }

    @Test
    void promoteAlsoGoesOnPastAnInconclusiveAnalysis() {
      Driver driver = canaryAt(4);
      driver.finish("steps[4]", RunPhase.INCONCLUSIVE, "no data").command(Command.PROMOTE);
      assertThat(driver.status().step()).isEqualTo(5);
    }

    @Test
    void backgroundAnalysisStartsAtItsStepAndItsFailureAborts() {
      Driver driver = canaryAt(1);
      assertThat(driver.runningRuns()).isEmpty();
      driver.converge();
      assertThat(driver.runningRuns()).containsExactly("background");

      driver.converge().finish("background", RunPhase.FAILED, "success-rate 0.81 < 0.95");
      assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
      assertStableOnly(driver.traffic());
    }

    @Test
    void anInconclusiveBackgroundAnalysisPausesWithoutSkippingTheStep() {
      Driver driver = canaryAt(3);
      driver.finish("background", RunPhase.INCONCLUSIVE, "no data");
      driver.after(Duration.ofMinutes(5));
      assertThat(driver.status().step()).isEqualTo(3);

      driver.command(Command.PROMOTE);
      assertThat(driver.status().step()).isEqualTo(4); // the timed pause had run out already
    }

    @Test
    void lateReportsOfAStoppedRunAreIgnored() {
      Driver driver = canaryAt(4);
      String runId = driver.status().analyses().get(1).id();
      driver.command(Command.PROMOTE);
      driver.decide(new Observation.AnalysisReport(runId, RunPhase.FAILED, "too late"));

      assertThat(driver.status().phase()).isEqualTo(Phase.PROGRESSING);
      assertThat(driver.status().step()).isEqualTo(5);
    }
  }

  @Nested
  class Experiment {
    @Test
    void weightsRevertAfterTheDuration() {
      Driver driver = canaryAt(5);
      Traffic before = driver.applied().get(driver.applied().size() - 2);
      assertThat(driver.traffic().weights()).containsKeys("baseline", "candidate");

      driver.converge().after(Duration.ofMinutes(9));
      assertThat(driver.traffic().weights()).containsKeys("baseline");

      driver.after(Duration.ofMinutes(1));
      assertThat(driver.traffic().weights()).isEqualTo(before.weights());
      assertThat(driver.status().step()).isEqualTo(5);

      driver.converge();
      assertThat(driver.status().step()).isEqualTo(6);
    }

    @Test
    void aFailedExperimentAnalysisAborts() {
      Driver driver = canaryAt(5).finish("compare", RunPhase.FAILED, "candidate errors 4% vs 1%");
      assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
      assertStableOnly(driver.traffic());
    }

    @Test
    void theStepsResultIsKeptInTheStatus() {
      Driver driver = canaryAt(5).converge().finish("compare", RunPhase.SUCCESSFUL, "1.0% vs 1.1%");
      driver.after(Duration.ofMinutes(10)).converge();
      assertThat(driver.status().experiments())
          .containsExactly(
              new ExperimentResult(
                  "steps[5]",
                  RunPhase.SUCCESSFUL,
                  driver.now(),
                  "compare successful: 1.0% vs 1.1%"));
    }

    @Test
    void anAbortDuringTheExperimentFailsIt() {
      Driver driver = canaryAt(5).command(Command.ABORT);
      assertThat(driver.status().experiments())
          .extracting(ExperimentResult::result, ExperimentResult::message)
          .containsExactly(tuple(RunPhase.FAILED, "aborted by an operator"));
    }

    @Test
    void promoteEndsTheExperimentEarly() {
      Driver driver = canaryAt(5).converge().command(Command.PROMOTE);
      assertThat(driver.traffic().weights()).doesNotContainKeys("baseline", "candidate");
      assertThat(driver.runningRuns()).containsExactly("background");
    }
  }

  @Nested
  class StandaloneExperiment {
    private Driver started() {
      Driver driver = new Driver(TestRollouts.EXPERIMENT).start();
      assertThat(driver.traffic().weights())
          .containsExactly(
              entry("stable", 80),
              entry("canary", 0),
              entry("baseline", 10),
              entry("candidate", 10));
      assertThat(driver.runningRuns()).containsExactly("compare");
      return driver.converge();
    }

    @Test
    void runsItsTimeThenRestoresTheRoutesWithItsResult() {
      Driver driver = started().finish("compare", RunPhase.SUCCESSFUL, "errors 1.0% vs 1.1%");
      assertThat(driver.status().phase()).isEqualTo(Phase.PROGRESSING);

      driver.after(Duration.ofMinutes(10));
      assertStableOnly(driver.traffic());
      driver.converge();

      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
      assertThat(driver.status().live()).isEqualTo("stable");
      assertThat(driver.lastEffects()).last().isEqualTo(new Effect.Release(driver.traffic()));
      assertThat(driver.status().experiments())
          .extracting(ExperimentResult::step, ExperimentResult::result)
          .containsExactly(tuple("experiment", RunPhase.SUCCESSFUL));
      assertThat(driver.status().message())
          .isEqualTo(
              "experiment ended successful: compare successful: errors 1.0% vs 1.1%; routes"
                  + " restored, fleet converged");
    }

    @Test
    void anInconclusiveAnalysisDoesNotPauseItButMarksTheResult() {
      Driver driver = started().finish("compare", RunPhase.INCONCLUSIVE, "too few requests");
      assertThat(driver.status().phase()).isEqualTo(Phase.PROGRESSING);
      driver.after(Duration.ofMinutes(10)).converge();
      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
      assertThat(driver.status().experiments())
          .extracting(ExperimentResult::result)
          .containsExactly(RunPhase.INCONCLUSIVE);
    }

    @Test
    void aFailedAnalysisEndsItAtOnceWithTheRoutesRestored() {
      Driver driver = started().finish("compare", RunPhase.FAILED, "candidate 4.0% vs 1.0%");
      assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
      assertStableOnly(driver.traffic());
      assertThat(driver.status().experiments())
          .extracting(ExperimentResult::result, ExperimentResult::message)
          .containsExactly(
              tuple(RunPhase.FAILED, "analysis compare failed: candidate 4.0% vs 1.0%"));
      assertThat(driver.status().message())
          .isEqualTo(
              "experiment failed: analysis compare failed: candidate 4.0% vs 1.0%; restoring"
                  + " routes: waiting for routers (xds: applying generation 3)");
      driver.converge();
      assertThat(driver.status().message())
          .isEqualTo(
              "experiment failed: analysis compare failed: candidate 4.0% vs 1.0%; routes"
                  + " restored, fleet converged");
    }

    @Test
    void aVariantRoutedByHeaderGetsItsOwnRouteForTheDuration() {
      Driver driver =
          new Driver(
                  TestRollouts.EXPERIMENT
                      .replace(
                          "xds: {routes", "managedRoutes: [{name: candidate}]\n    xds: {routes")
                      .replace(
                          "{name: candidate, version: canary, weight: 10}",
                          "{name: candidate, version: canary, match: [{headerName: x-variant,"
                              + " headerValue: {exact: candidate}}]}"))
              .start();
      assertThat(driver.traffic().weights())
          .containsExactly(
              entry("stable", 90),
              entry("canary", 0),
              entry("baseline", 10),
              entry("candidate", 0));
      assertThat(driver.traffic().headerRoutes())
          .containsExactly(
              new HeaderRoute(
                  "candidate",
                  "candidate",
                  List.of(new HeaderMatch("x-variant", StringMatch.exact("candidate")))));

      driver.converge().after(Duration.ofMinutes(10));
      assertStableOnly(driver.traffic());
    }

    @Test
    void promoteEndsItEarly() {
      Driver driver = started().command(Command.PROMOTE);
      assertStableOnly(driver.traffic());
      driver.converge();
      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
      assertThat(driver.status().experiments()).hasSize(1);
    }
  }

  @Nested
  class Commands {
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
    void abortAtAnyStepEndsAtStableWithNoManagedRoutes(int step) {
      Driver driver = canaryAt(step).command(Command.ABORT);

      assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
      assertThat(driver.status().live()).isEqualTo("stable");
      assertStableOnly(driver.traffic());
      assertThat(driver.runningRuns()).isEmpty();
      assertThat(driver.lastEffects()).last().isEqualTo(new Effect.Release(driver.traffic()));
      assertThat(driver.status().message())
          .startsWith(
              "aborted: aborted by an operator; rolling back to stable: waiting for routers");
      assertThat(driver.status().conditions())
          .contains(new RolloutStatus.Condition("RoutesConverged", false, routerProgress(driver)));

      driver.converge();
      assertThat(driver.status().message())
          .isEqualTo(
              "aborted: aborted by an operator; rolled back, fleet converged: stable serves all"
                  + " traffic");
      assertThat(driver.status().conditions())
          .extracting(RolloutStatus.Condition::type, RolloutStatus.Condition::status)
          .contains(tuple("RoutesConverged", true), tuple("Aborted", true));
    }

    private static String routerProgress(Driver driver) {
      long generation = driver.traffic().generation();
      return "xds: applying generation "
          + generation
          + "; istio: applying generation "
          + generation;
    }

    @Test
    void nothingMovesAfterAnAbortButRetry() {
      Driver driver = canaryAt(3).command(Command.ABORT);
      RolloutStatus aborted = driver.status();
      driver.command(Command.PROMOTE).command(Command.PROMOTE_FULL).command(Command.RESUME);
      driver.after(Duration.ofHours(1)).converge();

      assertThat(driver.status().traffic()).isEqualTo(aborted.traffic());
      assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
    }

    @Test
    void retryStartsAgainFromTheFirstStep() {
      Driver driver = canaryAt(3).command(Command.ABORT).converge();
      long aborted = driver.traffic().generation();
      driver.command(Command.RETRY);

      assertThat(driver.status().phase()).isEqualTo(Phase.PROGRESSING);
      assertThat(driver.status().step()).isZero();
      assertThat(driver.traffic().generation()).isEqualTo(aborted + 1);
      assertThat(driver.traffic().mirrorRoutes()).hasSize(1);
      assertThat(driver.status().live()).isEmpty();

      driver.converge().converge();
      assertThat(driver.runningRuns()).containsExactly("background");
    }

    @Test
    void retryMeansNothingWhileProgressing() {
      Driver driver = canaryAt(2);
      RolloutStatus before = driver.status();
      driver.command(Command.RETRY);
      assertThat(driver.status().step()).isEqualTo(before.step());
      assertThat(driver.lastEffects()).isEmpty();
    }

    @Test
    void anOperatorPauseHoldsEvenAnExpiredTimer() {
      Driver driver = new Driver(SIMPLE).start().converge().command(Command.PAUSE);
      driver.after(Duration.ofMinutes(10));
      assertThat(driver.status().step()).isEqualTo(1);
      assertThat(driver.status().operatorPaused()).isTrue();
      assertThat(driver.wakeAt()).isEmpty();

      driver.command(Command.RESUME);
      assertThat(driver.status().step()).isEqualTo(2);
    }

    @Test
    void commandsAfterCompletionChangeNothing() {
      Driver driver = canaryAt(CANARY_PROMOTION).converge();
      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
      driver.command(Command.ABORT).command(Command.RETRY);
      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
      assertThat(driver.lastEffects()).isEmpty();
    }
  }

  @Nested
  class Revisions {
    @Test
    void aChangedSpecStartsOverFromStable() {
      Driver driver = canaryAt(5);
      String oldRevision = driver.status().revision();
      driver.changeSpec(CANARY.replace("setWeight: 50", "setWeight: 40"));

      assertThat(driver.status().revision()).isNotEqualTo(oldRevision);
      assertThat(driver.status().step()).isZero();
      assertThat(driver.lastEffects()).filteredOn(Effect.StopAnalysis.class::isInstance).hasSize(2);
      assertThat(driver.traffic().weights()).isEqualTo(Map.of("stable", 100, "canary", 0));
      assertThat(driver.traffic().mirrorRoutes()).hasSize(1);
      assertThat(driver.traffic().headerRoutes()).isEmpty();
    }

    @Test
    void aNewRevisionAfterCompletionRunsAgain() {
      Driver driver = canaryAt(CANARY_PROMOTION).converge();
      driver.changeSpec(CANARY.replace("duration: 2m", "duration: 3m"));
      assertThat(driver.status().phase()).isEqualTo(Phase.PROGRESSING);
      assertThat(driver.status().live()).isEmpty();
    }

    @Test
    void reformattingTheSpecIsNotANewRevision() {
      String reordered =
          CANARY
              .replace(
                  "metadata: {name: reviews, namespace: bookinfo}",
                  "metadata: {namespace: bookinfo, name: reviews}")
              .replace(
                  "{name: baseline, version: stable, weight: 5}",
                  "{weight: 5, version: stable, name: baseline}");
      assertThat(Driver.spec(reordered).revision()).isEqualTo(Driver.spec(CANARY).revision());
    }
  }

  @Nested
  class BlueGreen {
    @Test
    void previewsThenSwitchesInOneIntentAndHoldsTheWindow() {
      Driver driver = new Driver(BLUE_GREEN).start();
      assertThat(driver.traffic().weights()).containsEntry("stable", 100);
      assertThat(driver.traffic().headerRoutes())
          .extracting(r -> r.name() + "->" + r.version())
          .containsExactly("preview->canary");

      driver.converge();
      assertThat(driver.runningRuns()).containsExactly("prePromotionAnalysis");
      driver.finish("prePromotionAnalysis", RunPhase.SUCCESSFUL, "0 errors");
      assertThat(driver.status().phase()).isEqualTo(Phase.PAUSED);
      assertThat(driver.status().message())
          .isEqualTo("awaitingPromotion pause until promoted: paused until promoted");

      int appliedBefore = driver.applied().size();
      driver.command(Command.PROMOTE);
      assertThat(driver.applied()).hasSize(appliedBefore + 1);
      assertThat(driver.traffic().weights()).isEqualTo(Map.of("stable", 0, "canary", 100));
      assertThat(driver.traffic().headerRoutes()).isEmpty();

      driver.converge();
      assertThat(driver.runningRuns()).containsExactly("postPromotion");
      driver.finish("postPromotion", RunPhase.SUCCESSFUL, "0 errors");
      assertThat(driver.status().phase()).isEqualTo(Phase.PROGRESSING);
      assertThat(driver.wakeAt()).contains(driver.now().plus(Duration.ofSeconds(300)));

      driver.wake();
      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
      assertThat(driver.lastEffects()).containsExactly(new Effect.Release(driver.traffic()));
    }

    /** The blue-green rollout just switched: the window and the post-promotion analysis run. */
    private Driver switched() {
      return new Driver(BLUE_GREEN)
          .start()
          .converge()
          .finish("prePromotionAnalysis", RunPhase.SUCCESSFUL, "")
          .command(Command.PROMOTE)
          .converge();
    }

    @Test
    void aFailureInsideTheRollbackWindowSwitchesBack() {
      Driver driver = switched();
      driver.after(Duration.ofSeconds(120)).finish("postPromotion", RunPhase.FAILED, "errors 12");

      assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
      assertStableOnly(driver.traffic());
    }

    @Test
    void anAbortInsideTheWindowSwitchesBack() {
      Driver driver = switched().finish("postPromotion", RunPhase.SUCCESSFUL, "");
      driver.after(Duration.ofSeconds(299)).command(Command.ABORT);

      assertStableOnly(driver.traffic());
    }

    @Test
    void anAbortAfterTheWindowChangesNothing() {
      Driver driver = switched().finish("postPromotion", RunPhase.SUCCESSFUL, "");
      driver.after(Duration.ofSeconds(300)).command(Command.ABORT);

      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
      assertThat(driver.canary()).isEqualTo(100);
    }

    @Test
    void aFailedPrePromotionAnalysisNeverSwitches() {
      Driver driver = new Driver(BLUE_GREEN).start().converge();
      driver.finish("prePromotionAnalysis", RunPhase.FAILED, "smoke test 3 errors");
      assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
      assertThat(driver.applied()).noneMatch(traffic -> traffic.weightOf("canary") > 0);
    }

    @Test
    void autoPromotionSwitchesAfterItsDelay() {
      Driver driver = new Driver(BLUE_GREEN_AUTO).start().converge();
      assertThat(driver.status().phase()).isEqualTo(Phase.PAUSED);
      assertThat(driver.wakeAt()).contains(driver.now().plus(Duration.ofSeconds(60)));

      driver.wake();
      assertThat(driver.canary()).isEqualTo(100);
      driver.converge();
      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
    }

    @Test
    void promoteFullSkipsAnalysesAndTheWindow() {
      Driver driver = new Driver(BLUE_GREEN).start().converge().command(Command.PROMOTE_FULL);
      assertThat(driver.runningRuns()).isEmpty();
      driver.converge();
      assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
    }
  }

  @Test
  void aRolloutWithNoStepsGoesStraightToTheNewVersion() {
    Driver driver = new Driver(SIMPLE.replaceAll("(?s)steps:.*", "steps: []\n")).start();
    assertThat(driver.applied()).hasSize(1);
    assertThat(driver.canary()).isEqualTo(100);
    assertThat(driver.converge().status().phase()).isEqualTo(Phase.HEALTHY);
    assertThat(driver.status().history())
        .extracting(RolloutStatus.Transition::event)
        .containsExactly(
            "rollout started at revision " + driver.status().revision(),
            "entered promotion all traffic to canary",
            "completed");
  }

  @Test
  void historyIsBounded() {
    Driver driver = new Driver(SIMPLE).start();
    for (int i = 0; i < 30; i++) {
      driver.command(Command.PAUSE).command(Command.RESUME);
    }
    assertThat(driver.status().history()).hasSize(StepEngine.HISTORY);
    assertThat(List.copyOf(driver.status().history()).get(StepEngine.HISTORY - 1).event())
        .isEqualTo("resumed by an operator");
  }
}
