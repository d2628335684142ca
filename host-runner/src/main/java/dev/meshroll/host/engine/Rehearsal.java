package dev.meshroll.host.engine;

import dev.meshroll.api.Verification;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollout played through the engine as if everything went well: every router converges, every
 * analysis succeeds, every indefinite pause is promoted and every timer runs out. What it yields is
 * the traffic of each step in order, which {@code meshroll plan} prints. It runs the real engine,
 * so the plan cannot drift from what a rollout does.
 */
public final class Rehearsal {
  private static final Instant START = Instant.EPOCH;

  private Rehearsal() {}

  /** The traffic a step asks for, and the step, as {@code steps[2] setWeight 10}. */
  public record Stage(String step, Traffic traffic) {}

  /** The stages of a rollout from its first step to its release, in order. */
  public static List<Stage> of(RolloutSpec spec) {
    Plan plan = Plan.of(spec);
    StepEngine engine = new StepEngine();
    List<Stage> stages = new ArrayList<>();
    Instant now = START;
    Decision decision = engine.start(spec, now);
    // Each round ends at least one wait; a plan of n steps needs a few rounds per step.
    for (int round = 0; round < 4 * plan.size() + 4; round++) {
      RolloutStatus status = decision.status();
      for (Effect effect : decision.effects()) {
        if (effect instanceof Effect.ApplyTraffic apply) {
          stages.add(new Stage(stepName(plan, status), apply.traffic()));
        } else if (effect instanceof Effect.Release release) {
          stages.add(new Stage("release", release.traffic()));
        }
      }
      if (status.phase().terminal()) {
        return stages;
      }
      List<Observation> observations = new ArrayList<>();
      plan.routers()
          .forEach(
              router ->
                  observations.add(
                      new Observation.RouterReport(
                          router, status.traffic().generation(), Verification.converged())));
      status.analyses().stream()
          .filter(run -> run.phase() == RunPhase.RUNNING && !run.background())
          .forEach(
              run ->
                  observations.add(
                      new Observation.AnalysisReport(run.id(), RunPhase.SUCCESSFUL, "rehearsed")));
      if (decision.wakeAt().isPresent()) {
        now = decision.wakeAt().get();
      } else if (status.phase() == Phase.PAUSED
          && status.routers().size() == plan.routers().size()) {
        observations.add(new Observation.OperatorCommand(Command.PROMOTE));
      }
      decision = engine.decide(spec, status, now, observations);
    }
    throw new IllegalStateException(spec.ref() + ": the rehearsal did not reach the end");
  }

  private static String stepName(Plan plan, RolloutStatus status) {
    if (status.step() >= plan.size()) {
      return "end";
    }
    boolean experimentOver =
        plan.steps().get(status.step()) instanceof Step.Experiment experiment
            && experiment.variants().stream()
                .noneMatch(variant -> status.traffic().weights().containsKey(variant.name()));
    return plan.describe(status.step())
        + (experimentOver ? " (over: variants back to stable)" : "");
  }
}
