package dev.meshroll.host.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.Verification;
import dev.meshroll.host.engine.Observation.AnalysisReport;
import dev.meshroll.host.engine.Observation.OperatorCommand;
import dev.meshroll.host.engine.Observation.RouterReport;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.SpecFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Drives one rollout through the engine with a fake clock, playing the host: it keeps the status,
 * records every effect, and answers for routers and analyses as a test scripts them.
 */
final class Driver {
  static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  private final StepEngine engine = new StepEngine();
  private RolloutSpec spec;
  private Targets targets = Targets.NONE;
  private RolloutStatus status;
  private Instant now = START;
  private Optional<Instant> wakeAt = Optional.empty();
  private final List<Effect> effects = new ArrayList<>();
  private List<Effect> lastEffects = List.of();

  /** Applied to every stored status before the next decision: e.g. a JSON round trip. */
  private UnaryOperator<RolloutStatus> storage = UnaryOperator.identity();

  Driver(String yaml) {
    this.spec = spec(yaml);
  }

  static RolloutSpec spec(String yaml) {
    SpecFile file = SpecFile.parse("test.yaml", yaml);
    assertThat(file.problems()).isEmpty();
    return file.rollouts().get(0);
  }

  /** What the routers call the version roles, from the next decision on. */
  Driver targets(Targets targets) {
    this.targets = targets;
    return this;
  }

  Driver storingThrough(UnaryOperator<RolloutStatus> storage) {
    this.storage = storage;
    return this;
  }

  Driver start() {
    return decide();
  }

  Driver decide(Observation... observations) {
    Decision decision =
        engine.decide(
            spec,
            targets,
            status == null ? null : storage.apply(status),
            now,
            Arrays.asList(observations));
    status = decision.status();
    wakeAt = decision.wakeAt();
    lastEffects = decision.effects();
    effects.addAll(lastEffects);
    return this;
  }

  Driver changeSpec(String yaml) {
    spec = spec(yaml);
    return decide();
  }

  /** Every router reports {@code answer} for the current generation. */
  Driver routersSay(Verification answer) {
    return decide(
        Plan.of(spec).routers().stream()
            .map(router -> new RouterReport(router, status.traffic().generation(), answer))
            .toArray(Observation[]::new));
  }

  Driver converge() {
    return routersSay(Verification.converged());
  }

  Driver report(String router, Verification answer) {
    return decide(new RouterReport(router, status.traffic().generation(), answer));
  }

  Driver command(Command command) {
    return decide(new OperatorCommand(command));
  }

  Driver command(Command command, String caller) {
    return decide(new OperatorCommand(command, caller));
  }

  /** The host restarted with the status as stored. */
  Driver restart() {
    return decide(new Observation.Restarted());
  }

  /** The spec as it is now; a test checks a new revision against the status with it. */
  RolloutSpec spec() {
    return spec;
  }

  /** Takes a new revision as the host would once it admitted it, with its routers' targets. */
  Driver admit(String yaml, Targets targets) {
    this.targets = targets;
    return changeSpec(yaml);
  }

  /** Finishes the running run named {@code name}. */
  Driver finish(String name, RunPhase phase, String message) {
    AnalysisRun run =
        status.analyses().stream()
            .filter(r -> r.name().equals(name) && r.phase() == RunPhase.RUNNING)
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no running run " + name + " in " + status.analyses()));
    return decide(new AnalysisReport(run.id(), phase, message));
  }

  /** Moves the clock and decides, as the host's timer would. */
  Driver after(Duration duration) {
    now = now.plus(duration);
    return decide();
  }

  /** Moves the clock to the engine's wake-up time and decides. */
  Driver wake() {
    now = wakeAt.orElseThrow(() -> new AssertionError("the engine asked for no wake-up"));
    return decide();
  }

  RolloutStatus status() {
    return status;
  }

  Traffic traffic() {
    return status.traffic();
  }

  int canary() {
    return status.traffic().weightOf("canary");
  }

  Optional<Instant> wakeAt() {
    return wakeAt;
  }

  Instant now() {
    return now;
  }

  List<Effect> effects() {
    return effects;
  }

  List<Effect> lastEffects() {
    return lastEffects;
  }

  /** The traffic of every ApplyTraffic effect so far, in order. */
  List<Traffic> applied() {
    return effects.stream()
        .filter(Effect.ApplyTraffic.class::isInstance)
        .map(effect -> ((Effect.ApplyTraffic) effect).traffic())
        .toList();
  }

  List<String> runningRuns() {
    return status.analyses().stream()
        .filter(run -> run.phase() == RunPhase.RUNNING)
        .map(AnalysisRun::name)
        .toList();
  }
}
