package dev.meshroll.host.engine;

import dev.meshroll.api.Verification;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the engine knows about one rollout: a plain value, stored before the effects it
 * announces are carried out, so that a restart resumes the same step with the same traffic.
 *
 * @param revision the spec revision this status belongs to; another revision starts over
 * @param phase where the rollout stands
 * @param step the index of the current step of the plan; the plan's size once it has ended
 * @param stepStartedAt when the current step began (pause and experiment clocks run from it)
 * @param traffic the traffic the routers must serve now
 * @param routers each router's latest answer for {@code traffic}'s generation
 * @param analyses the runs of the current step and the background run
 * @param experiments how the rollout's experiments ended, oldest first
 * @param operatorPaused whether an operator paused the rollout
 * @param inconclusive why an inconclusive analysis holds the rollout; empty when none does
 * @param fullPromotion whether an operator asked to skip straight to the end
 * @param runSequence how many analysis runs this rollout has started, for their ids
 * @param live the version role serving all traffic once the rollout has ended; empty before
 * @param liveTargets each router's target that serves as stable: the last one that reached 100%, or
 *     the first revision's stable; a new revision must start from it (see {@link Revisions})
 * @param outcome how the rollout ended ("aborted: ..."); empty before it has
 * @param message what the rollout is doing or waiting for, for people
 * @param conditions the rollout's state as true/false facts, as Argo Rollouts shows them
 * @param history the latest transitions, oldest first, at most {@value StepEngine#HISTORY}
 */
public record RolloutStatus(
    String revision,
    Phase phase,
    int step,
    Instant stepStartedAt,
    Traffic traffic,
    Map<String, Verification> routers,
    List<AnalysisRun> analyses,
    List<ExperimentResult> experiments,
    boolean operatorPaused,
    String inconclusive,
    boolean fullPromotion,
    int runSequence,
    String live,
    Map<String, String> liveTargets,
    String outcome,
    String message,
    List<Condition> conditions,
    List<Transition> history) {

  public RolloutStatus {
    routers = Collections.unmodifiableMap(new LinkedHashMap<>(routers));
    liveTargets = Collections.unmodifiableMap(new LinkedHashMap<>(liveTargets));
    analyses = List.copyOf(analyses);
    experiments = List.copyOf(experiments);
    conditions = List.copyOf(conditions);
    history = List.copyOf(history);
  }

  /** A fact about the rollout, such as {@code RoutesConverged: false (xds: 812/1000 proxies)}. */
  public record Condition(String type, boolean status, String message) {}

  /** One change of step or phase, and why. */
  public record Transition(Instant at, int step, Phase phase, String event) {}
}
