package dev.meshroll.host.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.Verification;
import dev.meshroll.host.state.StatusJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Restart safety and idempotence, over scripts that visit every step kind and command. */
class StepEngineRestartTest {

  /** The canary rollout, with a detour through abort and retry, to completion. */
  static final List<Consumer<Driver>> CANARY_SCRIPT =
      List.of(
          Driver::start,
          d -> d.report("xds", Verification.pending("3/5 proxies")),
          Driver::converge,
          Driver::converge,
          Driver::converge,
          d -> d.after(Duration.ofSeconds(30)),
          d -> d.command(Command.ABORT),
          Driver::converge,
          d -> d.command(Command.RETRY),
          Driver::converge,
          Driver::converge,
          Driver::converge,
          Driver::wake,
          d -> d.finish("steps[4]", RunPhase.INCONCLUSIVE, "no data"),
          d -> d.command(Command.RESUME),
          Driver::converge,
          d -> d.command(Command.PAUSE),
          d -> d.after(Duration.ofMinutes(11)),
          d -> d.command(Command.RESUME),
          Driver::converge,
          Driver::converge,
          Driver::converge,
          d -> d.command(Command.PROMOTE),
          Driver::converge);

  static final List<Consumer<Driver>> BLUE_GREEN_SCRIPT =
      List.of(
          Driver::start,
          Driver::converge,
          d -> d.finish("prePromotionAnalysis", RunPhase.SUCCESSFUL, "0 errors"),
          d -> d.command(Command.PROMOTE),
          Driver::converge,
          d -> d.finish("postPromotion", RunPhase.SUCCESSFUL, "0 errors"),
          Driver::wake);

  @Test
  void aRestartAtEveryPointChangesNothing() {
    for (var script : List.of(CANARY_SCRIPT, BLUE_GREEN_SCRIPT)) {
      String yaml = script == CANARY_SCRIPT ? TestRollouts.CANARY : TestRollouts.BLUE_GREEN;
      Driver uninterrupted = new Driver(yaml);
      Driver restarted = new Driver(yaml).storingThrough(StepEngineRestartTest::roundTrip);
      for (Consumer<Driver> action : script) {
        action.accept(uninterrupted);
        action.accept(restarted);
        assertThat(restarted.status()).isEqualTo(uninterrupted.status());
      }
      assertThat(restarted.effects()).isEqualTo(uninterrupted.effects());
      assertThat(restarted.status().phase()).isEqualTo(Phase.HEALTHY);
    }
  }

  @Test
  void weightsNeverMoveBackwardsExceptByAbort() {
    Driver driver = new Driver(TestRollouts.CANARY);
    CANARY_SCRIPT.forEach(action -> action.accept(driver));

    List<Integer> canary = new ArrayList<>();
    for (Traffic traffic : driver.applied()) {
      int weight = traffic.weightOf("canary");
      boolean abortOrRestart = weight == 0 && traffic.weightOf("stable") == 100;
      if (!abortOrRestart && !canary.isEmpty()) {
        assertThat(weight).isGreaterThanOrEqualTo(canary.get(canary.size() - 1));
      }
      canary.add(weight);
    }
    assertThat(canary).containsExactly(0, 0, 10, 0, 0, 0, 10, 10, 10, 10, 50, 100);
  }

  @Test
  void decidingAgainWithNothingNewDoesNothing() {
    for (var script : List.of(CANARY_SCRIPT, BLUE_GREEN_SCRIPT)) {
      String yaml = script == CANARY_SCRIPT ? TestRollouts.CANARY : TestRollouts.BLUE_GREEN;
      Driver driver = new Driver(yaml);
      for (Consumer<Driver> action : script) {
        action.accept(driver);
        RolloutStatus before = driver.status();

        driver.decide();
        assertThat(driver.lastEffects()).isEmpty();
        assertThat(driver.status()).isEqualTo(before);

        driver.decide(answersIn(before));
        assertThat(driver.lastEffects()).isEmpty();
        assertThat(driver.status()).isEqualTo(before);
      }
    }
  }

  @Test
  void aRepeatedReportIsNoNews() {
    Driver driver = StepEngineScenarioTest.canaryAt(4);
    String runId = driver.status().analyses().get(1).id();
    driver.decide(new Observation.AnalysisReport(runId, RunPhase.SUCCESSFUL, "ok"));
    RolloutStatus after = driver.status();

    driver.decide(new Observation.AnalysisReport(runId, RunPhase.SUCCESSFUL, "ok"));
    assertThat(driver.lastEffects()).isEmpty();
    assertThat(driver.status()).isEqualTo(after);
  }

  /** The router answers a status has recorded, as the reports that brought them. */
  private static Observation[] answersIn(RolloutStatus status) {
    return status.routers().entrySet().stream()
        .map(
            answer ->
                new Observation.RouterReport(
                    answer.getKey(), status.traffic().generation(), answer.getValue()))
        .toArray(Observation[]::new);
  }

  static RolloutStatus roundTrip(RolloutStatus status) {
    RolloutStatus read = StatusJson.read(StatusJson.write(status));
    assertThat(read).isEqualTo(status);
    return read;
  }
}
