package dev.meshroll.host.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.Verification;
import dev.meshroll.host.spec.Step;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Invariants that hold whatever operators, routers, analyses and the clock do. */
class StepEngineProperties {

  /** One thing that can happen to a rollout. */
  record Event(int kind, int choice, int seconds) {
    void applyTo(Driver driver) {
      switch (kind) {
        case 0, 1, 2 -> driver.converge();
        case 3 -> driver.report(choice % 2 == 0 ? "xds" : "istio", Verification.pending("1/2"));
        case 4 ->
            driver.report(
                "istio",
                choice % 10 == 0 ? Verification.failed("NACK") : Verification.unsupported());
        case 5 -> driver.after(Duration.ofSeconds(seconds));
        case 6 -> driver.command(Command.values()[choice % Command.values().length]);
        case 7 -> {
          List<AnalysisRun> running =
              driver.status().analyses().stream()
                  .filter(run -> run.phase() == RunPhase.RUNNING)
                  .toList();
          if (!running.isEmpty()) {
            AnalysisRun run = running.get(choice % running.size());
            RunPhase phase = RunPhase.values()[1 + choice % 3];
            driver.decide(new Observation.AnalysisReport(run.id(), phase, "measured"));
          }
        }
        default -> driver.wakeAt().ifPresentOrElse(at -> driver.wake(), driver::decide);
      }
    }
  }

  @Provide
  Arbitrary<List<Event>> histories() {
    Arbitrary<Event> event =
        Combinators.combine(
                Arbitraries.integers().between(0, 8),
                Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(1, 900))
            .as(Event::new);
    return event.list().ofMinSize(1).ofMaxSize(80);
  }

  @Provide
  Arbitrary<String> specs() {
    return Arbitraries.of(
        TestRollouts.CANARY,
        TestRollouts.SIMPLE,
        TestRollouts.BLUE_GREEN,
        TestRollouts.BLUE_GREEN_AUTO);
  }

  @Property(tries = 400)
  void invariantsHold(@ForAll("specs") String yaml, @ForAll("histories") List<Event> history) {
    Driver driver = new Driver(yaml).start();
    Plan plan = Plan.of(Driver.spec(yaml));
    long lastGeneration = driver.traffic().generation();
    for (Event event : history) {
      Phase before = driver.status().phase();
      event.applyTo(driver);
      RolloutStatus status = driver.status();
      Traffic traffic = status.traffic();

      assertThat(traffic.weights().values()).allMatch(w -> w >= 0 && w <= 100);
      assertThat(traffic.weights().values().stream().mapToInt(Integer::intValue).sum())
          .isEqualTo(100);
      assertThat(traffic.weightOf("canary")).isLessThanOrEqualTo(allowedCanary(plan, status));
      assertThat(driver.lastEffects())
          .filteredOn(Effect.ApplyTraffic.class::isInstance)
          .hasSizeLessThanOrEqualTo(1);
      assertThat(traffic.generation()).isGreaterThanOrEqualTo(lastGeneration);
      lastGeneration = traffic.generation();

      boolean aborted =
          event.kind() == 6
              && Command.values()[event.choice() % Command.values().length] == Command.ABORT;
      if (aborted && !before.terminal() || status.phase() == Phase.DEGRADED) {
        assertThat(status.phase()).isEqualTo(Phase.DEGRADED);
        assertThat(traffic.weightOf("stable")).isEqualTo(100);
        assertThat(traffic.headerRoutes()).isEmpty();
        assertThat(traffic.mirrorRoutes()).isEmpty();
      }
      if (status.phase() == Phase.HEALTHY) {
        assertThat(traffic.weightOf("canary")).isEqualTo(100);
        assertThat(status.analyses()).noneMatch(run -> run.phase() == RunPhase.RUNNING);
      }
    }
    Statistics.label("final phase").collect(driver.status().phase());
  }

  /** The most the canary may have at the status's step: the highest setWeight so far. */
  private static int allowedCanary(Plan plan, RolloutStatus status) {
    if (status.phase() == Phase.DEGRADED) {
      return 0;
    }
    int allowed = 0;
    for (int i = 0; i <= Math.min(status.step(), plan.size() - 1); i++) {
      Step step = plan.steps().get(i);
      if (step instanceof Step.SetWeight setWeight) {
        allowed = Math.max(allowed, setWeight.weight());
      } else if (step instanceof Step.Switch) {
        allowed = 100;
      }
    }
    return status.step() >= plan.size() ? 100 : allowed;
  }
}
