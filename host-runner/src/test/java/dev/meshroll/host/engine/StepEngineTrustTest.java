package dev.meshroll.host.engine;

import static dev.meshroll.host.engine.TestRollouts.PAUSED_TWICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.meshroll.api.Verification;
import dev.meshroll.host.engine.RolloutStatus.Transition;
import dev.meshroll.host.spec.RolloutSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the engine promises an operator: a restart changes no traffic, a converged step stays
 * converged, an ended rollout says whether the fleet serves its final traffic, the history tells
 * who did what and what phase it left, and a new revision starts from what is live.
 */
class StepEngineTrustTest {

  private static final Targets V2_V3 =
      new Targets(Map.of("xds", Map.of("stable", "reviews-v2", "canary", "reviews-v3")));
  private static final Targets V3_V1 =
      new Targets(Map.of("xds", Map.of("stable", "reviews-v3", "canary", "reviews-v1")));
  private static final Targets V2_V4 =
      new Targets(Map.of("xds", Map.of("stable", "reviews-v2", "canary", "reviews-v4")));

  @Test
  void aRestartReappliesTheSameGenerationAndRestartsRunningAnalysesOnly() {
    Driver driver = StepEngineScenarioTest.canaryAt(4);
    RolloutStatus before = driver.status();

    driver.restart();
    assertThat(driver.traffic()).isEqualTo(before.traffic());
    assertThat(driver.status().step()).isEqualTo(before.step());
    assertThat(driver.lastEffects())
        .containsExactly(
            new Effect.ApplyTraffic(before.traffic()),
            new Effect.StartAnalysis(before.analyses().get(0)),
            new Effect.StartAnalysis(before.analyses().get(1)));
    assertThat(last(driver).event())
        .isEqualTo("host restarted; resuming steps[4] analysis latency at generation 4");
  }

  @Test
  void aRestartOfAnEndedRolloutReleasesAgain() {
    Driver driver = new Driver(PAUSED_TWICE).start().converge().command(Command.ABORT).converge();
    driver.restart();
    assertThat(driver.lastEffects()).containsExactly(new Effect.Release(driver.traffic()));
    assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
  }

  @Test
  void aConvergedStepStaysConvergedWhenTheFleetIsPendingAfterARestart() {
    Driver driver = new Driver(PAUSED_TWICE).start().converge();
    assertThat(driver.status().phase()).isEqualTo(Phase.PAUSED);

    driver.restart().report("xds", Verification.pending("0/1 nodes; waiting for edge-1 (...)"));
    assertThat(driver.status().routers().get("xds"))
        .isEqualTo(
            Verification.converged("converged before; now 0/1 nodes; waiting for edge-1 (...)"));
    assertThat(driver.status().phase()).isEqualTo(Phase.PAUSED);
    assertThat(driver.status().message()).doesNotContain("waiting for routers");

    driver.report("xds", Verification.failed("node edge-1 rejected Cluster 'c' (version 3): no"));
    assertThat(driver.status().phase())
        .as("a NACK still fails the step: the data plane refused")
        .isEqualTo(Phase.DEGRADED);
  }

  @Test
  void anAbortSaysWhetherTheFleetServesStableAgain() {
    Driver driver = new Driver(PAUSED_TWICE).start().converge().command(Command.ABORT);
    assertThat(driver.status().message())
        .isEqualTo(
            "aborted: aborted by an operator; rolling back to stable: waiting for routers (xds:"
                + " applying generation 3)");
    driver.report("xds", Verification.pending("0/1 nodes; waiting for edge-1"));
    assertThat(driver.status().message())
        .endsWith(
            "rolling back to stable: waiting for routers (xds: pending 0/1 nodes; waiting for edge-1)");
    driver.report("xds", Verification.converged("1/1 nodes"));
    assertThat(driver.status().message())
        .isEqualTo(
            "aborted: aborted by an operator; rolled back, fleet converged: stable serves all"
                + " traffic");
  }

  @Test
  void aRollbackTheFleetRefusesSaysSo() {
    Driver driver = new Driver(PAUSED_TWICE).start().converge().command(Command.ABORT);
    driver.report("xds", Verification.failed("node edge-1 rejected RouteConfiguration 'ingress'"));
    assertThat(driver.status().phase()).isEqualTo(Phase.DEGRADED);
    assertThat(driver.status().message())
        .isEqualTo(
            "aborted: aborted by an operator; rolling back to stable failed (xds: failed node"
                + " edge-1 rejected RouteConfiguration 'ingress')");
  }

  @Test
  void eachEventIsRecordedWithThePhaseItLeavesAndWhoCausedIt() {
    Driver driver = new Driver(PAUSED_TWICE).start().converge();
    driver.command(Command.PROMOTE, "alice");
    driver.command(Command.PAUSE, "bob").command(Command.RESUME);

    assertThat(driver.status().history())
        .extracting(Transition::event, Transition::phase)
        .containsExactly(
            tuple("rollout started at revision " + driver.spec().revision(), Phase.PROGRESSING),
            tuple("entered steps[0] setWeight 10", Phase.PROGRESSING),
            tuple("entered steps[1] pause until promoted", Phase.PAUSED),
            tuple("promoted by alice", Phase.PROGRESSING),
            tuple("entered steps[2] setWeight 50", Phase.PROGRESSING),
            tuple("paused by bob", Phase.PAUSED),
            tuple("resumed by an operator", Phase.PROGRESSING));
  }

  @Test
  void aRefusedRevisionIsRecordedOncePerRefusal() {
    Driver driver = new Driver(PAUSED_TWICE).start().converge();
    Observation refusal =
        new Observation.RevisionRefused("abc123", List.of("r.yaml: stable is 'x'", "r.yaml: two"));
    driver.decide(refusal).decide(refusal);
    assertThat(driver.status().history())
        .extracting(Transition::event)
        .containsOnlyOnce("revision abc123 refused: r.yaml: stable is 'x' (and 1 more)");
    assertThat(last(driver).phase()).isEqualTo(Phase.PAUSED);
  }

  @Test
  void theFirstRevisionsStableIsLiveAndACompletedCanaryBecomesLive() {
    Driver driver = new Driver(PAUSED_TWICE).targets(V2_V3).start();
    assertThat(driver.status().liveTargets()).isEqualTo(Map.of("xds", "reviews-v2"));

    driver.converge().command(Command.PROMOTE_FULL).converge();
    assertThat(driver.status().phase()).isEqualTo(Phase.HEALTHY);
    assertThat(driver.status().liveTargets()).isEqualTo(Map.of("xds", "reviews-v3"));
  }

  @Test
  void aRevisionWhoseStableIsNotLiveIsRefusedNamingBoth() {
    Driver driver = new Driver(PAUSED_TWICE).targets(V2_V3).start().converge();
    RolloutSpec edited = Driver.spec(PAUSED_TWICE.replace("setWeight: 50", "setWeight: 60"));

    assertThat(Revisions.refusals(edited, V3_V1, driver.status()))
        .containsExactly(
            "test.yaml: spec.strategy.canary.trafficRouting.xds: stable is 'reviews-v3', but"
                + " 'reviews-v2' is live (the last target that reached 100%, or the first"
                + " revision's stable); a new revision starts from what is live: name 'reviews-v2'"
                + " as stable, or set spec.strategy.canary.adoptStable: true to make 'reviews-v3'"
                + " the stable on purpose");
    assertThat(Revisions.refusals(edited, V2_V4, driver.status())).isEmpty();
    assertThat(Revisions.refusals(driver.spec(), V3_V1, driver.status()))
        .as("the same revision")
        .isEmpty();
    RolloutSpec adopting =
        Driver.spec(PAUSED_TWICE.replace("canary:\n", "canary:\n      adoptStable: true\n"));
    assertThat(Revisions.refusals(adopting, V3_V1, driver.status())).isEmpty();
  }

  @Test
  void anAdoptedStableBecomesLiveAndTheNewRevisionRunsItsStepsFromIt() {
    Driver driver = new Driver(PAUSED_TWICE).targets(V2_V3).start().converge();
    driver.admit(PAUSED_TWICE.replace("canary:\n", "canary:\n      adoptStable: true\n"), V3_V1);

    assertThat(driver.status().liveTargets()).isEqualTo(Map.of("xds", "reviews-v3"));
    assertThat(driver.lastEffects())
        .as("the revision's first step, with its stable (reviews-v3) taking the rest")
        .contains(new Effect.ApplyTraffic(driver.traffic()));
    assertThat(driver.traffic().weights()).isEqualTo(Map.of("stable", 90, "canary", 10));
    assertThat(driver.status().history())
        .extracting(Transition::event)
        .contains("xds: stable target reviews-v3 adopted in place of live reviews-v2");
  }

  private static Transition last(Driver driver) {
    List<Transition> history = driver.status().history();
    return history.get(history.size() - 1);
  }
}
