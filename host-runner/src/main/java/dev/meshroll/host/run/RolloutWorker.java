package dev.meshroll.host.run;

import com.google.common.util.concurrent.MoreExecutors;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.api.Verification;
import dev.meshroll.host.engine.AnalysisRun;
import dev.meshroll.host.engine.Command;
import dev.meshroll.host.engine.Decision;
import dev.meshroll.host.engine.Effect;
import dev.meshroll.host.engine.Observation;
import dev.meshroll.host.engine.Phase;
import dev.meshroll.host.engine.Plan;
import dev.meshroll.host.engine.Revisions;
import dev.meshroll.host.engine.RolloutStatus;
import dev.meshroll.host.engine.StepEngine;
import dev.meshroll.host.engine.Targets;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.state.StateStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one rollout: feeds what happens to the engine, stores each new status before carrying out
 * what it announces, and carries it out through the routers. Everything it does runs as tasks on
 * its own sequential executor, so that one rollout is handled by one logical worker at a time while
 * many rollouts share a small pool; its fields are touched only from those tasks.
 */
final class RolloutWorker {
  private static final Logger logger = LoggerFactory.getLogger(RolloutWorker.class);

  /**
   * How long a refused revision rests before the routers are asked again: a refusal may come from
   * an API server that is down for a moment, but need not be re-checked at every rescan.
   */
  private static final Duration ADMISSION_RETRY = Duration.ofSeconds(10);

  /** What all workers share: the engine, storage, routers, timers. */
  record Services(
      StepEngine engine,
      Clock clock,
      StateStore store,
      RouterCalls calls,
      Map<String, TrafficRouter> routers,
      AnalysisRuns analyses,
      ScheduledExecutorService timers,
      Executor pool,
      HostMetrics metrics,
      Duration verifyInterval,
      Function<RolloutSpec, Admission> admission) {}

  /**
   * What the host says of a revision before it may run.
   *
   * @param problems why it cannot run here; empty when it can
   * @param targets what its routers address its version roles as
   */
  record Admission(List<String> problems, Targets targets) {
    Admission {
      problems = List.copyOf(problems);
    }
  }

  private final RolloutRef ref;
  private final Services services;
  private final Executor tasks;
  private final List<Consumer<RolloutView>> watchers = new CopyOnWriteArrayList<>();
  private volatile RolloutView view;
  // Read by the rescan thread: a refused revision is offered again at every rescan.
  private volatile boolean awaitingAdmission;

  // Touched only by this worker's tasks.
  private Plan plan;
  private Targets targets = Targets.NONE;
  private RolloutStatus status;
  private String blocked = "";
  private List<String> specProblems = List.of();
  private String note = "";
  private RolloutSpec refusedSpec;
  private Instant refusedAt = Instant.MIN;
  private ScheduledFuture<?> wake;
  // The verification loops running, as router#generation: one per router and generation.
  private final Set<String> verifying = new HashSet<>();
  private boolean statusRead;
  private boolean resumed;
  private boolean stopped;

  RolloutWorker(RolloutRef ref, Services services) {
    this.ref = ref;
    this.services = services;
    this.tasks = MoreExecutors.newSequentialExecutor(services.pool());
    this.view =
        new RolloutView(ref, Optional.empty(), Targets.NONE, Optional.empty(), "", List.of(), "");
  }

  RolloutRef ref() {
    return ref;
  }

  RolloutView view() {
    return view;
  }

  /** Sends the view now and after every change, until {@link #unwatch}. */
  void watch(Consumer<RolloutView> watcher) {
    watchers.add(watcher);
    watcher.accept(view);
  }

  void unwatch(Consumer<RolloutView> watcher) {
    watchers.remove(watcher);
  }

  /** Whether the newest revision offered was refused and wants to be offered again. */
  boolean awaitingAdmission() {
    return awaitingAdmission;
  }

  /** A revision of the spec, new or the same: admitted, it is in force from now on. */
  void offer(RolloutSpec spec, List<String> fileProblems) {
    run(
        () -> {
          if (plan != null && plan.spec().equals(spec)) {
            if (!fileProblems.equals(specProblems)) {
              specProblems = fileProblems;
              publish();
            }
            return;
          }
          Instant now = services.clock().instant();
          if (spec.equals(refusedSpec) && now.isBefore(refusedAt.plus(ADMISSION_RETRY))) {
            return; // refused a moment ago: ask the routers again later, not at every rescan
          }
          if (!statusRead && !readStatus()) {
            return;
          }
          Admission admission = services.admission().apply(spec);
          List<String> refused = new ArrayList<>(admission.problems());
          if (refused.isEmpty()) {
            refused.addAll(Revisions.refusals(spec, admission.targets(), status));
          }
          if (!refused.isEmpty()) {
            boolean news = !spec.equals(refusedSpec) || !refused.equals(specProblems);
            if (news) {
              logger.warn("revision {} refused: {}", spec.revision(), refused);
            }
            refusedSpec = spec;
            awaitingAdmission = true;
            refusedAt = now;
            specProblems = refused;
            if (plan == null) {
              blocked = "refused: " + String.join("; ", refused);
            } else if (news) {
              decide(List.of(new Observation.RevisionRefused(spec.revision(), refused)));
            }
            publish();
            return;
          }
          refusedSpec = null;
          awaitingAdmission = false;
          plan = Plan.of(spec);
          targets = admission.targets();
          specProblems = fileProblems;
          if (blocked.startsWith("refused: ")) {
            blocked = "";
          }
          if (!resumed) {
            resume();
          } else {
            decide(List.of());
          }
        });
  }

  /**
   * Carries out an operator's command.
   *
   * @return the view after it, or a failed future saying why the command does not apply now
   */
  CompletableFuture<RolloutView> command(Command command, String caller) {
    CompletableFuture<RolloutView> result = new CompletableFuture<>();
    run(
        () -> {
          String refusal = refusal(command);
          if (!refusal.isEmpty()) {
            result.completeExceptionally(new IllegalStateException(refusal));
            return;
          }
          logger.info(
              "operator command {} by {}", command, caller.isEmpty() ? "(unnamed)" : caller);
          decide(List.of(new Observation.OperatorCommand(command, caller)));
          result.complete(view);
        });
    return result;
  }

  private String refusal(Command command) {
    if (!blocked.isEmpty()) {
      return ref + " is blocked: " + blocked;
    }
    if (status == null) {
      return ref + " has not started yet";
    }
    Phase phase = status.phase();
    boolean ended = phase == Phase.HEALTHY || phase == Phase.DEGRADED;
    return switch (command) {
      case RETRY ->
          phase == Phase.DEGRADED
              ? ""
              : ref + " is " + phase + ": only an aborted rollout can be retried";
      case RESUME ->
          status.operatorPaused() || !status.inconclusive().isEmpty()
              ? ""
              : ref
                  + " is not paused by an operator or an inconclusive analysis: nothing to resume";
      default ->
          ended
              ? ref + " has ended (" + phase + "): use retry after an abort, or change its spec"
              : "";
    };
  }

  /** Stops working on the rollout: its spec is gone, or the host stops. */
  void stop() {
    run(
        () -> {
          stopped = true;
          if (wake != null) {
            wake.cancel(false);
          }
          if (status != null) {
            status.analyses().forEach(analysis -> services.analyses().stop(analysis.id()));
          }
          services.metrics().forget(ref, status);
        });
  }

  // ---- tasks

  private void run(Runnable task) {
    tasks.execute(
        () -> {
          MDC.put("rollout", ref.name());
          MDC.put("namespace", ref.namespace());
          try {
            task.run();
          } catch (RuntimeException e) {
            // A bug must not kill the worker's queue; it is logged and the rollout shows it.
            logger.error("unexpected failure", e);
            note = "internal error: " + e;
            publish();
          } finally {
            MDC.clear();
          }
        });
  }

  /**
   * Reads the stored status once, before the first revision is judged (a new revision must start
   * from what the status says is live).
   *
   * @return false when it cannot be read: the rollout is then held
   */
  private boolean readStatus() {
    statusRead = true;
    try {
      status = services.store().read(ref).orElse(null);
      return true;
    } catch (IOException e) {
      blocked = e.getMessage();
      logger.error("{}", blocked);
      publish();
      return false;
    }
  }

  /**
   * After a start: a stored status of the admitted revision is resumed (the engine re-asserts what
   * it announces and records the restart); anything else the engine starts, or starts over.
   */
  private void resume() {
    resumed = true;
    if (status != null && status.revision().equals(plan.spec().revision())) {
      logger.info(
          "resuming at step {} generation {}", status.step(), status.traffic().generation());
      decide(List.of(new Observation.Restarted()));
    } else {
      decide(List.of());
    }
  }

  private void decide(List<Observation> observations) {
    if (stopped || !blocked.isEmpty() || plan == null) {
      return;
    }
    Instant now = services.clock().instant();
    Decision decision = services.engine().decide(plan.spec(), targets, status, now, observations);
    RolloutStatus previous = status;
    if (!decision.status().equals(status)) {
      try {
        services.store().write(ref, decision.status());
      } catch (IOException e) {
        blocked =
            "cannot store the status (" + e.getMessage() + "): fix the state folder and restart";
        logger.error("{}", blocked);
        publish();
        return; // an effect is never carried out before the status announcing it is stored
      }
      status = decision.status();
      services.metrics().rollout(ref, previous, status);
      if (previous == null
          || previous.step() != status.step()
          || previous.phase() != status.phase()) {
        logger.info("{}", status.message());
      }
    }
    schedule(decision.wakeAt(), now);
    carryOut(decision.effects());
    publish();
  }

  private void schedule(Optional<Instant> at, Instant now) {
    if (wake != null) {
      wake.cancel(false);
      wake = null;
    }
    at.ifPresent(
        time ->
            wake =
                services
                    .timers()
                    .schedule(
                        () -> run(() -> decide(List.of())),
                        Math.max(0, Duration.between(now, time).toMillis()),
                        TimeUnit.MILLISECONDS));
  }

  private void carryOut(List<Effect> effects) {
    for (Effect effect : effects) {
      if (effect instanceof Effect.ApplyTraffic apply) {
        for (String router : plan.routers()) {
          run(() -> applyAndVerify(router, apply.traffic().generation()));
        }
      } else if (effect instanceof Effect.Release release) {
        run(() -> release(release));
      } else if (effect instanceof Effect.StartAnalysis start) {
        AnalysisRun analysis = start.run();
        services.analyses().start(ref, analysis, report -> run(() -> decide(List.of(report))));
      } else if (effect instanceof Effect.StopAnalysis stop) {
        services.analyses().stop(stop.runId());
      } else {
        throw new AssertionError("unknown effect " + effect);
      }
    }
  }

  private void applyAndVerify(String router, long generation) {
    if (stopped || status == null || status.traffic().generation() != generation) {
      return; // a newer generation superseded this one before its turn came
    }
    RouteIntent intent = plan.intent(router, status.traffic());
    try {
      services
          .calls()
          .call(
              router,
              "apply",
              () -> {
                services.routers().get(router).apply(intent);
                return null;
              });
    } catch (RouterException e) {
      logger.warn("apply of generation {} failed: {}", generation, e.getMessage());
      decide(
          List.of(
              new Observation.RouterReport(
                  router, generation, Verification.failed(e.getMessage()))));
      return;
    }
    startVerifying(router, generation);
  }

  /** Verifies until the router settles, unless a loop for this router and generation runs. */
  private void startVerifying(String router, long generation) {
    if (verifying.add(router + "#" + generation)) {
      verify(router, generation);
    }
  }

  private void verify(String router, long generation) {
    if (stopped || status == null || status.traffic().generation() != generation) {
      verifying.remove(router + "#" + generation);
      return;
    }
    RouteIntent intent = plan.intent(router, status.traffic());
    Verification answer;
    try {
      answer =
          services
              .calls()
              .call(router, "verify", () -> services.routers().get(router).verify(intent));
    } catch (RouterException e) {
      answer = Verification.failed(e.getMessage());
    }
    decide(List.of(new Observation.RouterReport(router, generation, answer)));
    if (answer.state() == Verification.State.PENDING) {
      services
          .timers()
          .schedule(
              () -> run(() -> verify(router, generation)),
              services.verifyInterval().toMillis(),
              TimeUnit.MILLISECONDS);
    } else {
      verifying.remove(router + "#" + generation);
    }
  }

  /**
   * Releases the rollout's routes, then verifies the final traffic until the fleet serves it (or a
   * router fails), so that an ended rollout says whether its rollback or promotion took.
   */
  private void release(Effect.Release release) {
    List<String> failures = new ArrayList<>();
    for (String router : plan.routers()) {
      RouteIntent intent = plan.intent(router, release.traffic());
      try {
        services
            .calls()
            .call(
                router,
                "release",
                () -> {
                  services.routers().get(router).release(intent);
                  return null;
                });
      } catch (RouterException e) {
        failures.add(e.getMessage());
      }
    }
    note = failures.isEmpty() ? "" : "release failed: " + String.join("; ", failures);
    if (!failures.isEmpty()) {
      logger.warn("{}", note);
    }
    publish();
    for (String router : plan.routers()) {
      run(() -> startVerifying(router, release.traffic().generation()));
    }
  }

  private void publish() {
    view =
        new RolloutView(
            ref,
            Optional.ofNullable(plan),
            targets,
            Optional.ofNullable(status),
            blocked,
            specProblems,
            note);
    watchers.forEach(watcher -> watcher.accept(view));
  }
}
