package dev.meshroll.host.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.AnalysisMetric;
import dev.meshroll.proto.v1.AnalysisRun;
import dev.meshroll.proto.v1.ExperimentResult;
import dev.meshroll.proto.v1.MetricSample;
import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RolloutList;
import dev.meshroll.proto.v1.RolloutRef;
import dev.meshroll.proto.v1.RouterState;
import dev.meshroll.proto.v1.SpecProblem;
import dev.meshroll.proto.v1.Weight;
import org.junit.jupiter.api.Test;

class RolloutTextTest {
  private static final Rollout REVIEWS =
      Rollout.newBuilder()
          .setRef(RolloutRef.newBuilder().setNamespace("bookinfo").setName("reviews"))
          .setStrategy("canary")
          .setRevision("bfd9672131dc")
          .setPhase(Phase.PROGRESSING)
          .setStep(2)
          .setStepCount(10)
          .setStepName("steps[2] setWeight 10")
          .setGeneration(4)
          .addWeights(Weight.newBuilder().setVersion("stable").setPercent(90))
          .addWeights(Weight.newBuilder().setVersion("canary").setPercent(10))
          .addHeaderRoutes("tester")
          .addMirrorRoutes("shadow")
          .addRouters(
              RouterState.newBuilder()
                  .setRouter("xds")
                  .setState("PENDING")
                  .setDetail("812/1000 proxies"))
          .setMessage("steps[2] setWeight 10: waiting for routers (xds: pending 812/1000 proxies)")
          .build();

  @Test
  void showsOneRolloutWithABarPerVersion() {
    assertThat(RolloutText.view(REVIEWS))
        .isEqualTo(
            """
            bookinfo/reviews  (canary, revision bfd9672131dc)
            Phase:    Progressing
            Step:     3/10  steps[2] setWeight 10
            Weights:  stable ████████████████████████████████████░░░░ 90%
                      canary ████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░ 10%
            Routes:   header tester, mirror shadow
            Router:   xds: pending 812/1000 proxies (generation 4)
            Message:  steps[2] setWeight 10: waiting for routers (xds: pending 812/1000 proxies)
            """);
  }

  @Test
  void showsEachMetricsCountsAndLatestValues() {
    MetricSample.Builder sample = MetricSample.newBuilder().setOutcome("SUCCESSFUL");
    Rollout analysed =
        REVIEWS.toBuilder()
            .addAnalyses(
                AnalysisRun.newBuilder()
                    .setName("background")
                    .setPhase("RUNNING")
                    .setMessage("error-ratio running 0.012; latency (dry run) running 0.41")
                    .addMetrics(
                        AnalysisMetric.newBuilder()
                            .setName("error-ratio")
                            .setPhase("RUNNING")
                            .setMeasured(7)
                            .setErrors(1)
                            .addRecent(sample.setValue("0.01"))
                            .addRecent(sample.setValue("0.02"))
                            .addRecent(sample.setValue("0.008"))
                            .addRecent(sample.setValue("0.011"))
                            .addRecent(sample.setValue("").setOutcome("ERROR"))
                            .addRecent(sample.setValue("0.012").setOutcome("SUCCESSFUL")))
                    .addMetrics(
                        AnalysisMetric.newBuilder()
                            .setName("latency")
                            .setDryRun(true)
                            .setPhase("RUNNING")
                            .setMeasured(1)
                            .setFailed(1)
                            .addRecent(sample.setValue("0.41").setOutcome("FAILED"))))
            .addExperiments(
                ExperimentResult.newBuilder()
                    .setStep("steps[5]")
                    .setResult("SUCCESSFUL")
                    .setMessage("compare successful"))
            .build();
    assertThat(RolloutText.view(analysed))
        .contains(
            """
            Analysis: background running: error-ratio running 0.012; latency (dry run) running 0.41
                        error-ratio running 7 measured, 0 failed, 1 error: 0.02 0.008 0.011 error 0.012
            """)
        .contains("            latency (dry run) running 1 measured, 1 failed, 0 errors: 0.41\n")
        .contains("Experiment: steps[5] successful: compare successful\n");
  }

  @Test
  void tablesManyAndListsRefusedFiles() {
    RolloutList list =
        RolloutList.newBuilder()
            .addRollouts(REVIEWS)
            .addProblems(
                SpecProblem.newBuilder().setFile("x.yaml").setMessage("x.yaml: kind: is required"))
            .build();
    assertThat(RolloutText.table(list))
        .isEqualTo(
            """
            NAMESPACE  NAME     STRATEGY  PHASE        STEP  WEIGHTS               MESSAGE
            bookinfo   reviews  canary    Progressing  3/10  stable 90, canary 10  steps[2] setWeight 10: waiting for routers (xds: pending 812/1000 proxies)
            refused: x.yaml: kind: is required
            """);
  }
}
