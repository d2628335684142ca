package dev.meshroll.host.engine;

import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.Verification;
import dev.meshroll.host.engine.Observation.AnalysisReport;
import dev.meshroll.host.engine.Observation.OperatorCommand;
import dev.meshroll.host.engine.Observation.RouterReport;
import dev.meshroll.host.engine.RolloutStatus.Condition;
import dev.meshroll.host.engine.RolloutStatus.Transition;
import dev.meshroll.host.spec.AnalysisRef;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Decides what a rollout does next. Pure: the same spec, status, time and observations always give
 * the same decision, and deciding again on its own output with nothing new gives no effects.
 */
public final class StepEngine {
  /** How many transitions a status keeps. */
  public static final int HISTORY = 20;

  private static final String STABLE = RolloutRouting.STABLE;
  private static final String CANARY = RolloutRouting.CANARY;

  /** The first decision of a rollout that has no status yet. */
  public Decision start(RolloutSpec spec, Instant now) {
    return decide(spec, null, now, List.of());
  }

  /** {@link #decide(RolloutSpec, Targets, RolloutStatus, Instant, List)} without targets. */
  public Decision decide(
      RolloutSpec spec, RolloutStatus status, Instant now, List<Observation> observations) {
    return decide(spec, Targets.NONE, status, now, observations);
  }

  /**
   * Weighs the observations in order, then moves through every step that can complete now.
   *
   * @param targets what the rollout's routers address its version roles as: the status records
   *     which of them is live
   * @param status the stored status, or null for a rollout that has none yet
   */
  public Decision decide(
      RolloutSpec spec,
      Targets targets,
      RolloutStatus status,
      Instant now,
      List<Observation> observations) {
    Plan plan = Plan.of(spec);
    Work work;
    if (status == null) {
      work = Work.fresh(plan, targets, now, Traffic.allTo(STABLE, 1), 0);
      work.liveTargets.putAll(targets.of(STABLE));
      work.recordProgressing("rollout started at revision " + spec.revision());
    } else if (!status.revision().equals(spec.revision())) {
      work = Work.fresh(plan, targets, now, status.traffic(), status.traffic().generation());
      status.analyses().stream()
          .filter(run -> !run.phase().finished())
          .forEach(run -> work.stops.add(new Effect.StopAnalysis(run.id())));
      work.routers.putAll(status.routers());
      work.history.addAll(status.history());
      work.runSequence = status.runSequence();
      work.liveTargets.putAll(status.liveTargets());
      work.setTraffic(Traffic.allTo(STABLE, 0));
      work.recordProgressing("new revision " + spec.revision() + " replaces " + status.revision());
      work.adoptStable();
    } else {
      work = Work.of(plan, targets, status, now);
    }
    if (work.fresh) {
      work.enter(0);
    }
    for (Observation observation : observations) {
      work.observe(observation);
    }
    work.advance();
    return work.decision();
  }

  /** The working copy of a status while one decision is made. */
  private static final class Work {
    final Plan plan;
    final Targets targets;
    final Instant now;
    final long inputGeneration;
    final boolean fresh;
    String revision;
    Phase phase;
    int step;
    Instant stepStartedAt;
    Traffic traffic;
    final Map<String, Verification> routers = new LinkedHashMap<>();
    final List<AnalysisRun> analyses = new ArrayList<>();
    final List<ExperimentResult> experiments = new ArrayList<>();
    boolean operatorPaused;
    String inconclusive;
    boolean fullPromotion;
    int runSequence;
    String live;
    final Map<String, String> liveTargets = new LinkedHashMap<>();
    // How an ended rollout ended; its message adds whether the fleet confirmed the final traffic.
    String outcome;
    String message;
    // Set by a restart: carry out again what the stored status announces.
    boolean reassert;
    final List<Transition> history = new ArrayList<>();
    final List<Effect> stops = new ArrayList<>();
    final List<Effect> starts = new ArrayList<>();
    Effect release;

    private Work(Plan plan, Targets targets, Instant now, long inputGeneration, boolean fresh) {
      this.plan = plan;
      this.targets = targets;
      this.now = now;
      this.inputGeneration = inputGeneration;
      this.fresh = fresh;
    }

    static Work fresh(
        Plan plan, Targets targets, Instant now, Traffic traffic, long inputGeneration) {
      Work work = new Work(plan, targets, now, inputGeneration, true);
      work.revision = plan.spec().revision();
      work.phase = Phase.PROGRESSING;
      work.step = 0;
      work.stepStartedAt = now;
      work.traffic = traffic;
      work.inconclusive = "";
      work.live = "";
      work.outcome = "";
      work.message = "";
      return work;
    }

    static Work of(Plan plan, Targets targets, RolloutStatus status, Instant now) {
      Work work = new Work(plan, targets, now, status.traffic().generation(), false);
      work.revision = status.revision();
      work.phase = status.phase();
      work.step = status.step();
      work.stepStartedAt = status.stepStartedAt();
      work.traffic = status.traffic();
      work.routers.putAll(status.routers());
      work.analyses.addAll(status.analyses());
      work.experiments.addAll(status.experiments());
      work.operatorPaused = status.operatorPaused();
      work.inconclusive = status.inconclusive();
      work.fullPromotion = status.fullPromotion();
      work.runSequence = status.runSequence();
      work.live = status.live();
      work.liveTargets.putAll(status.liveTargets());
      work.outcome = status.outcome();
      work.message = status.message();
      work.history.addAll(status.history());
      return work;
    }

    // ---- observations

    void observe(Observation observation) {
      if (observation instanceof RouterReport report) {
        observeRouter(report);
      } else if (observation instanceof AnalysisReport report) {
        observeAnalysis(report);
      } else if (observation instanceof OperatorCommand command) {
        obey(command.command(), command.caller().isEmpty() ? "an operator" : command.caller());
      } else if (observation instanceof Observation.Restarted) {
        restarted();
      } else if (observation instanceof Observation.RevisionRefused refused) {
        refused(refused);
      } else {
        throw new AssertionError("unknown observation " + observation);
      }
    }

    /**
     * The host started again with this status: what it announces is carried out again (traffic
     * re-applied with the same generation, running analyses restarted, an ended rollout released
     * again), and nothing else changes.
     */
    private void restarted() {
      reassert = true;
      record(
          "host restarted; resuming "
              + (step < plan.size() ? plan.describe(step) : "the end")
              + " at generation "
              + traffic.generation());
    }

    /** A newer revision of the spec was refused: the history says so, once per refusal. */
    private void refused(Observation.RevisionRefused refused) {
      String event =
          "revision "
              + refused.revision()
              + " refused: "
              + refused.problems().get(0)
              + (refused.problems().size() > 1
                  ? " (and " + (refused.problems().size() - 1) + " more)"
                  : "");
      if (history.isEmpty() || !history.get(history.size() - 1).event().equals(event)) {
        record(event);
      }
    }

    private void observeRouter(RouterReport report) {
      if (report.generation() != traffic.generation()
          || !plan.routers().contains(report.router())) {
        return; // a late answer about traffic that is no longer wanted, or a stranger's
      }
      Verification before = routers.get(report.router());
      Verification answer = report.verification();
      if (before != null && before.settled() && answer.state() == Verification.State.PENDING) {
        // Converged stays converged: after a restart the fleet's answer is progress, never a
        // reason to hold the step again.
        answer =
            Verification.converged(
                "converged before" + (answer.detail().isEmpty() ? "" : "; now " + answer.detail()));
      }
      routers.put(report.router(), answer);
      if (answer.state() == Verification.State.FAILED && !phase.terminal()) {
        abort("router " + report.router() + " failed: " + report.verification().detail());
      }
    }

    private void observeAnalysis(AnalysisReport report) {
      int index = runIndex(report.runId());
      if (index < 0 || analyses.get(index).phase().finished()) {
        return; // a stopped run, or news after its end
      }
      AnalysisRun run =
          analyses.get(index).with(report.phase(), report.message(), report.metrics());
      analyses.set(index, run);
      if (phase.terminal()) {
        return;
      }
      if (run.phase() == RunPhase.FAILED) {
        abort("analysis " + run.name() + " failed: " + run.message());
      } else if (run.phase() == RunPhase.INCONCLUSIVE && plan.standaloneExperiment()) {
        // A standalone experiment has no one to ask: it runs its time and ends inconclusive.
        record("analysis " + run.name() + " was inconclusive: " + run.message());
      } else if (run.phase() == RunPhase.INCONCLUSIVE) {
        inconclusive = "analysis " + run.name() + " was inconclusive: " + run.message();
        record(inconclusive);
      }
    }

    private int runIndex(String id) {
      for (int i = 0; i < analyses.size(); i++) {
        if (analyses.get(i).id().equals(id)) {
          return i;
        }
      }
      return -1;
    }

    private void obey(Command command, String by) {
      if (command == Command.RETRY) {
        if (phase == Phase.DEGRADED) {
          retry(by);
        }
        return;
      }
      if (phase.terminal()) {
        return; // the rollout has ended: only retry after an abort means anything
      }
      switch (command) {
        case PROMOTE -> promote(by);
        case PROMOTE_FULL -> promoteFully(by);
        case ABORT -> abort("aborted by " + by);
        case PAUSE -> {
          if (!operatorPaused) {
            operatorPaused = true;
            record("paused by " + by);
          }
        }
        case RESUME -> {
          if (operatorPaused || !inconclusive.isEmpty()) {
            operatorPaused = false;
            inconclusive = "";
            record("resumed by " + by);
          }
        }
        default -> throw new AssertionError(command);
      }
    }

    private void promote(String by) {
      boolean wasInconclusive = !inconclusive.isEmpty();
      operatorPaused = false;
      inconclusive = "";
      String event = "promoted by " + by;
      if (step >= plan.size()) {
        record(event);
        return;
      }
      Step current = plan.steps().get(step);
      if (current instanceof Step.Experiment) {
        record(event);
        if (experimentActive()) {
          endExperiment();
        }
      } else if (wasInconclusive && !(current instanceof Step.Analysis)) {
        // The promote answered a background analysis: the current step still runs its course.
        record(event);
      } else if (current instanceof Step.Pause
          || current instanceof Step.Analysis
          || current instanceof Step.Hold) {
        recordProgressing(event);
        leaveStep();
      } else {
        record(event);
      }
    }

    private void promoteFully(String by) {
      operatorPaused = false;
      inconclusive = "";
      fullPromotion = true;
      stopRuns(run -> true);
      recordProgressing("fully promoted by " + by);
      if (step < plan.switchIndex()) {
        moveTo(plan.switchIndex());
      } else if (step > plan.switchIndex()) {
        moveTo(plan.size()); // past the switch: only the post-promotion hold is left to skip
      }
    }

    private void retry(String by) {
      phase = Phase.PROGRESSING;
      operatorPaused = false;
      inconclusive = "";
      fullPromotion = false;
      live = "";
      outcome = "";
      analyses.clear();
      experiments.clear();
      recordProgressing("retried by " + by);
      enter(0);
    }

    /**
     * A new revision whose stable targets differ from the live ones (admitted only with {@code
     * adoptStable}): they are live from now on.
     */
    void adoptStable() {
      targets
          .of(STABLE)
          .forEach(
              (router, target) -> {
                String was = liveTargets.put(router, target);
                if (was != null && !was.equals(target)) {
                  recordProgressing(
                      router + ": stable target " + target + " adopted in place of live " + was);
                }
              });
    }

    // ---- steps

    void advance() {
      for (int guard = 0; guard <= plan.size() + 1; guard++) {
        if (phase.terminal() || operatorPaused || !inconclusive.isEmpty()) {
          return;
        }
        if (step >= plan.size()) {
          complete();
          return;
        }
        if (!stepDone()) {
          return;
        }
        leaveStep();
      }
      throw new AssertionError("a step loop that does not end at step " + step);
    }

    /** Enters step {@code index}: sets its traffic and starts its analyses. */
    void enter(int index) {
      step = index;
      stepStartedAt = now;
      if (index >= plan.size()) {
        return;
      }
      plan.background()
          .filter(background -> background.startingStep() == index)
          .filter(background -> analyses.stream().noneMatch(AnalysisRun::background))
          .ifPresent(background -> startRun("background", true, background.analysis()));
      Step current = plan.steps().get(index);
      record("entered " + plan.describe(index));
      if (current instanceof Step.SetWeight setWeight) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put(STABLE, 100 - setWeight.weight());
        weights.put(CANARY, setWeight.weight());
        setTraffic(new Traffic(0, weights, traffic.headerRoutes(), traffic.mirrorRoutes()));
      } else if (current instanceof Step.SetHeaderRoute route) {
        List<HeaderRoute> routes = new ArrayList<>(traffic.headerRoutes());
        routes.removeIf(existing -> existing.name().equals(route.name()));
        if (!route.match().isEmpty()) {
          routes.add(new HeaderRoute(route.name(), CANARY, route.match()));
        }
        routes.sort(Comparator.comparingInt(r -> plan.managedRoutes().indexOf(r.name())));
        setTraffic(new Traffic(0, traffic.weights(), routes, traffic.mirrorRoutes()));
      } else if (current instanceof Step.SetMirrorRoute route) {
        List<MirrorRoute> routes = new ArrayList<>(traffic.mirrorRoutes());
        routes.removeIf(existing -> existing.name().equals(route.name()));
        if (!route.match().isEmpty()) {
          routes.add(new MirrorRoute(route.name(), CANARY, route.percentage(), route.match()));
        }
        routes.sort(Comparator.comparingInt(r -> plan.managedRoutes().indexOf(r.name())));
        setTraffic(new Traffic(0, traffic.weights(), traffic.headerRoutes(), routes));
      } else if (current instanceof Step.Analysis analysis) {
        startRun(plan.label(index), false, analysis.analysis());
      } else if (current instanceof Step.Experiment experiment) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put(STABLE, traffic.weightOf(STABLE) - experiment.variantWeight());
        weights.put(CANARY, traffic.weightOf(CANARY));
        experiment.variants().forEach(variant -> weights.put(variant.name(), variant.weight()));
        List<HeaderRoute> routes = new ArrayList<>(traffic.headerRoutes());
        experiment.variants().stream()
            .filter(variant -> !variant.match().isEmpty())
            .forEach(
                variant ->
                    routes.add(new HeaderRoute(variant.name(), variant.name(), variant.match())));
        routes.sort(Comparator.comparingInt(r -> plan.managedRoutes().indexOf(r.name())));
        setTraffic(new Traffic(0, weights, routes, traffic.mirrorRoutes()));
        experiment
            .analyses()
            .forEach(analysis -> startRun(analysis.name(), false, analysis.analysis()));
      } else if (current instanceof Step.Switch) {
        setTraffic(Traffic.allTo(CANARY, 0));
      } else if (current instanceof Step.Hold hold) {
        hold.analysis().ifPresent(analysis -> startRun(plan.label(index), false, analysis));
      }
    }

    /** Whether the current step has done its work; an experiment that has run its time reverts. */
    private boolean stepDone() {
      Step current = plan.steps().get(step);
      if (current instanceof Step.SetWeight
          || current instanceof Step.SetHeaderRoute
          || current instanceof Step.SetMirrorRoute
          || current instanceof Step.Switch) {
        return converged();
      }
      if (current instanceof Step.Pause pause) {
        return pause.duration().map(d -> !now.isBefore(stepStartedAt.plus(d))).orElse(false);
      }
      if (current instanceof Step.Analysis) {
        return stepRunsFinished();
      }
      if (current instanceof Step.Experiment experiment) {
        if (experimentActive() && !now.isBefore(stepStartedAt.plus(experiment.duration()))) {
          endExperiment();
        }
        return !experimentActive() && converged();
      }
      if (current instanceof Step.Hold hold) {
        return !now.isBefore(stepStartedAt.plus(hold.window())) && stepRunsFinished();
      }
      throw new AssertionError("unknown step " + current);
    }

    /** Whether every run of the current step has finished (failures have aborted already). */
    private boolean stepRunsFinished() {
      return analyses.stream()
          .filter(run -> !run.background())
          .allMatch(run -> run.phase().finished());
    }

    private boolean experimentActive() {
      return plan.steps().get(step) instanceof Step.Experiment experiment
          && experiment.variants().stream().anyMatch(v -> traffic.weights().containsKey(v.name()));
    }

    /**
     * Gives the variants' weight back to stable, records the experiment's result from its analyses
     * and stops those still running.
     */
    private void endExperiment() {
      Step.Experiment experiment = (Step.Experiment) plan.steps().get(step);
      List<AnalysisRun> runs = analyses.stream().filter(run -> !run.background()).toList();
      RunPhase result =
          runs.stream().anyMatch(run -> run.phase() == RunPhase.INCONCLUSIVE)
              ? RunPhase.INCONCLUSIVE
              : RunPhase.SUCCESSFUL;
      experiments.add(
          new ExperimentResult(
              plan.label(step),
              result,
              now,
              runs.stream()
                  .map(
                      run ->
                          run.name()
                              + " "
                              + run.phase().name().toLowerCase()
                              + (run.message().isEmpty() ? "" : ": " + run.message()))
                  .collect(Collectors.joining("; "))));
      Map<String, Integer> weights = new LinkedHashMap<>();
      weights.put(STABLE, traffic.weightOf(STABLE) + experiment.variantWeight());
      weights.put(CANARY, traffic.weightOf(CANARY));
      List<HeaderRoute> routes = new ArrayList<>(traffic.headerRoutes());
      routes.removeIf(
          route -> experiment.variants().stream().anyMatch(v -> v.name().equals(route.version())));
      setTraffic(new Traffic(0, weights, routes, traffic.mirrorRoutes()));
      stopRuns(run -> !run.background());
      record("experiment ended; variants' traffic back to stable");
    }

    private void leaveStep() {
      boolean skipRest = fullPromotion && plan.steps().get(step) instanceof Step.Switch;
      moveTo(skipRest ? plan.size() : step + 1);
    }

    private void moveTo(int index) {
      stopRuns(run -> !run.background());
      analyses.removeIf(run -> !run.background());
      enter(index);
    }

    private boolean converged() {
      return plan.routers().stream()
          .allMatch(router -> routers.containsKey(router) && routers.get(router).settled());
    }

    private void complete() {
      stopRuns(run -> true);
      phase = Phase.HEALTHY;
      release = new Effect.Release(traffic);
      if (plan.standaloneExperiment()) {
        live = STABLE;
        ExperimentResult result = experiments.get(experiments.size() - 1);
        outcome =
            "experiment ended " + result.result().name().toLowerCase() + ": " + result.message();
      } else {
        live = CANARY;
        liveTargets.putAll(targets.of(CANARY));
        outcome = "completed: canary serves all traffic, managed routes released";
      }
      record("completed");
    }

    private void abort(String reason) {
      if (experimentActive()) {
        experiments.add(new ExperimentResult(plan.label(step), RunPhase.FAILED, now, reason));
      }
      stopRuns(run -> true);
      setTraffic(Traffic.allTo(STABLE, 0));
      phase = Phase.DEGRADED;
      operatorPaused = false;
      inconclusive = "";
      live = STABLE;
      release = new Effect.Release(traffic);
      outcome = (plan.standaloneExperiment() ? "experiment failed: " : "aborted: ") + reason;
      record(reason);
    }

    /** Wants {@code wanted}'s routes; a change is a new generation that no router has answered. */
    void setTraffic(Traffic wanted) {
      if (wanted.sameRoutes(traffic)) {
        return;
      }
      traffic =
          new Traffic(
              traffic.generation() + 1,
              wanted.weights(),
              wanted.headerRoutes(),
              wanted.mirrorRoutes());
      routers.clear();
    }

    private void startRun(String name, boolean background, AnalysisRef analysis) {
      runSequence++;
      AnalysisRun run =
          new AnalysisRun(
              plan.spec().ref().name() + "-" + revision + "-" + runSequence,
              name,
              background,
              analysis,
              RunPhase.RUNNING,
              "",
              List.of());
      analyses.add(run);
      starts.add(new Effect.StartAnalysis(run));
    }

    /** Stops the running runs that {@code which} selects and forgets them. */
    private void stopRuns(Predicate<AnalysisRun> which) {
      analyses.removeIf(
          run -> {
            boolean stop = !run.phase().finished() && which.test(run);
            if (stop) {
              stops.add(new Effect.StopAnalysis(run.id()));
            }
            return stop;
          });
    }

    /** Records an event with the phase it leaves the rollout in. */
    void record(String event) {
      record(event, phase.terminal() ? phase : paused() ? Phase.PAUSED : Phase.PROGRESSING);
    }

    /** Records an event after which the rollout progresses, whatever step it is on. */
    void recordProgressing(String event) {
      record(event, Phase.PROGRESSING);
    }

    private void record(String event, Phase after) {
      history.add(new Transition(now, step, after, event));
      if (history.size() > HISTORY) {
        history.subList(0, history.size() - HISTORY).clear();
      }
    }

    // ---- the result

    Decision decision() {
      if (!phase.terminal()) {
        phase = paused() ? Phase.PAUSED : Phase.PROGRESSING;
      }
      message = message();
      List<Effect> effects = new ArrayList<>();
      Set<String> startedNow = new HashSet<>();
      starts.forEach(start -> startedNow.add(((Effect.StartAnalysis) start).run().id()));
      Set<String> stoppedNow = new HashSet<>();
      stops.forEach(stop -> stoppedNow.add(((Effect.StopAnalysis) stop).runId()));
      // A run started and stopped by the same decision never reaches the host.
      stops.stream()
          .filter(stop -> !startedNow.contains(((Effect.StopAnalysis) stop).runId()))
          .forEach(effects::add);
      if (traffic.generation() != inputGeneration || (reassert && !phase.terminal())) {
        effects.add(new Effect.ApplyTraffic(traffic));
      }
      if (reassert && !phase.terminal()) {
        analyses.stream()
            .filter(run -> !run.phase().finished() && !startedNow.contains(run.id()))
            .forEach(run -> effects.add(new Effect.StartAnalysis(run)));
      }
      starts.stream()
          .filter(start -> !stoppedNow.contains(((Effect.StartAnalysis) start).run().id()))
          .forEach(effects::add);
      if (release == null && reassert && phase.terminal()) {
        release = new Effect.Release(traffic); // releasing is idempotent: a restart repeats it
      }
      if (release != null) {
        effects.add(release);
      }
      RolloutStatus status =
          new RolloutStatus(
              revision,
              phase,
              step,
              stepStartedAt,
              traffic,
              routers,
              analyses,
              experiments,
              operatorPaused,
              inconclusive,
              fullPromotion,
              runSequence,
              live,
              liveTargets,
              outcome,
              message,
              conditions(),
              history);
      return new Decision(status, effects, wakeAt());
    }

    private boolean paused() {
      return operatorPaused
          || !inconclusive.isEmpty()
          || (step < plan.size() && plan.steps().get(step) instanceof Step.Pause);
    }

    private Optional<Instant> wakeAt() {
      if (phase.terminal() || operatorPaused || !inconclusive.isEmpty() || step >= plan.size()) {
        return Optional.empty();
      }
      Step current = plan.steps().get(step);
      if (current instanceof Step.Pause pause) {
        return pause.duration().map(stepStartedAt::plus);
      }
      if (current instanceof Step.Experiment experiment && experimentActive()) {
        return Optional.of(stepStartedAt.plus(experiment.duration()));
      }
      if (current instanceof Step.Hold hold && now.isBefore(stepStartedAt.plus(hold.window()))) {
        return Optional.of(stepStartedAt.plus(hold.window()));
      }
      return Optional.empty();
    }

    private String message() {
      if (phase.terminal()) {
        return outcome + "; " + finalTraffic();
      }
      if (!inconclusive.isEmpty()) {
        return inconclusive + " (promote or resume to go on, abort to roll back)";
      }
      if (operatorPaused) {
        return "paused by an operator at " + plan.describe(step) + " (resume to go on)";
      }
      String waitingFor;
      Step current = plan.steps().get(step);
      if (!converged()) {
        waitingFor = "waiting for routers (" + routerProgress() + ")";
      } else if (current instanceof Step.Pause pause) {
        waitingFor =
            pause
                .duration()
                .map(d -> "paused until " + stepStartedAt.plus(d))
                .orElse("paused until promoted");
      } else if (current instanceof Step.Experiment experiment && experimentActive()) {
        waitingFor = "experiment runs until " + stepStartedAt.plus(experiment.duration());
      } else if (!stepRunsFinished()) {
        waitingFor = "waiting for analysis";
      } else {
        waitingFor = "in progress";
      }
      return plan.describe(step) + ": " + waitingFor;
    }

    /**
     * Whether the fleet serves an ended rollout's final traffic: the host verifies it after the
     * release until every router converges or one fails.
     */
    private String finalTraffic() {
      boolean experiment = plan.standaloneExperiment();
      boolean rollback = phase == Phase.DEGRADED && !experiment;
      if (converged()) {
        return experiment
            ? "routes restored, fleet converged"
            : rollback
                ? "rolled back, fleet converged: stable serves all traffic"
                : "fleet converged";
      }
      String doing =
          experiment ? "restoring routes" : rollback ? "rolling back to stable" : "releasing";
      boolean failed =
          routers.values().stream().anyMatch(v -> v.state() == Verification.State.FAILED);
      return failed
          ? doing + " failed (" + routerProgress() + ")"
          : doing + ": waiting for routers (" + routerProgress() + ")";
    }

    private String routerProgress() {
      return plan.routers().stream()
          .map(
              router -> {
                Verification answer = routers.get(router);
                if (answer == null) {
                  return router + ": applying generation " + traffic.generation();
                }
                String state = answer.state().name().toLowerCase();
                return router
                    + ": "
                    + state
                    + (answer.detail().isEmpty() ? "" : " " + answer.detail());
              })
          .collect(Collectors.joining("; "));
    }

    private List<Condition> conditions() {
      return List.of(
          new Condition("RoutesConverged", converged(), routerProgress()),
          new Condition("Paused", phase == Phase.PAUSED, phase == Phase.PAUSED ? message() : ""),
          new Condition(
              "Aborted", phase == Phase.DEGRADED, phase == Phase.DEGRADED ? message() : ""),
          new Condition("Completed", phase == Phase.HEALTHY, ""));
    }
  }
}
