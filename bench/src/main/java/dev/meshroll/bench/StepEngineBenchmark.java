package dev.meshroll.bench;

import dev.meshroll.api.Verification;
import dev.meshroll.host.engine.Decision;
import dev.meshroll.host.engine.Effect;
import dev.meshroll.host.engine.Observation;
import dev.meshroll.host.engine.Plan;
import dev.meshroll.host.engine.RolloutStatus;
import dev.meshroll.host.engine.StepEngine;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.SpecFile;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's step function, {@code StepEngine.decide}, on a 10-step canary with two routers, at
 * the three moments a running host calls it most: the routers report that the traffic of a step
 * converged (the rollout moves on to a pause), a pause's timer fires (the next weight: a new
 * intent), and a re-check with nothing new.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StepEngineBenchmark {
  static final String SPEC =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: reviews, namespace: bench}
      spec:
        strategy:
          canary:
            trafficRouting:
              managedRoutes: [{name: tester}]
              xds: {routes: [primary]}
              istio: {virtualService: {name: reviews}}
            steps:
            - setHeaderRoute: {name: tester, match: [{headerName: x-canary, headerValue: {exact: "1"}}]}
            - setWeight: 10
            - pause: {duration: 1m}
            - setWeight: 20
            - pause: {duration: 1m}
            - setWeight: 40
            - pause: {duration: 1m}
            - setWeight: 60
            - pause: {duration: 1m}
            - setWeight: 80
      """;
  static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  private final StepEngine engine = new StepEngine();
  private RolloutSpec spec;
  private RolloutStatus awaitingRouters;
  private List<Observation> converged;
  private Instant convergedAt;
  private RolloutStatus paused;
  private Instant pauseEnds;
  private Instant duringPause;

  @Setup
  public void setUp() {
    SpecFile file = SpecFile.parse("bench.yaml", SPEC);
    if (!file.problems().isEmpty()) {
      throw new IllegalStateException("the bench spec is refused: " + file.problems());
    }
    spec = file.rollouts().get(0);
    List<String> routers = Plan.of(spec).routers();
    Instant now = START;
    Decision decision = engine.start(spec, now);
    // Plays the host until the rollout waits in a pause after a weight (at most 100 decisions).
    for (int i = 0; i < 100 && paused == null; i++) {
      Effect.ApplyTraffic apply =
          decision.effects().stream()
              .filter(Effect.ApplyTraffic.class::isInstance)
              .map(Effect.ApplyTraffic.class::cast)
              .findFirst()
              .orElse(null);
      if (apply != null) {
        List<Observation> reports =
            routers.stream()
                .<Observation>map(
                    router ->
                        new Observation.RouterReport(
                            router, apply.traffic().generation(), Verification.converged()))
                .toList();
        if (apply.traffic().weightOf("canary") > 0) {
          awaitingRouters = decision.status();
          converged = reports;
          convergedAt = now;
        }
        decision = engine.decide(spec, decision.status(), now, reports);
        if (awaitingRouters != null && decision.wakeAt().isPresent()) {
          paused = decision.status();
          pauseEnds = decision.wakeAt().get();
          duringPause = now.plusSeconds(10);
        }
      } else if (decision.wakeAt().isPresent()) {
        now = decision.wakeAt().get();
        decision = engine.decide(spec, decision.status(), now, List.of());
      } else {
        throw new IllegalStateException("the bench rollout stopped: " + decision.status());
      }
    }
    if (paused == null) {
      throw new IllegalStateException("the bench rollout never paused after a weight");
    }
  }

  /** The routers report the step's traffic converged: the rollout enters its pause. */
  @Benchmark
  public Decision routersConverged() {
    return engine.decide(spec, awaitingRouters, convergedAt, converged);
  }

  /** The pause's timer fires: the next weight, a new intent. */
  @Benchmark
  public Decision pauseTimerFires() {
    return engine.decide(spec, paused, pauseEnds, List.of());
  }

  /** A re-check during the pause, with nothing new: no effects. */
  @Benchmark
  public Decision nothingNew() {
    return engine.decide(spec, paused, duringPause, List.of());
  }
}
