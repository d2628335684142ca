package dev.meshroll.host.control;

import com.google.protobuf.Timestamp;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.Verification;
import dev.meshroll.host.engine.MetricResult;
import dev.meshroll.host.engine.Plan;
import dev.meshroll.host.engine.RolloutStatus;
import dev.meshroll.host.run.RolloutView;
import dev.meshroll.host.spec.SpecProblem;
import dev.meshroll.host.spec.Strategy;
import dev.meshroll.proto.v1.AnalysisMetric;
import dev.meshroll.proto.v1.AnalysisRun;
import dev.meshroll.proto.v1.Condition;
import dev.meshroll.proto.v1.MetricSample;
import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RouterState;
import dev.meshroll.proto.v1.RouterTarget;
import dev.meshroll.proto.v1.Transition;
import dev.meshroll.proto.v1.VersionTarget;
import dev.meshroll.proto.v1.Weight;
import java.time.Instant;
import java.util.Map;

/** The control API's messages, from the host's views. */
final class RolloutMessages {
  private RolloutMessages() {}

  static dev.meshroll.proto.v1.RolloutRef ref(RolloutRef ref) {
    return dev.meshroll.proto.v1.RolloutRef.newBuilder()
        .setNamespace(ref.namespace())
        .setName(ref.name())
        .build();
  }

  static RolloutRef ref(dev.meshroll.proto.v1.RolloutRef ref) {
    return new RolloutRef(
        ref.getNamespace().isEmpty() ? "default" : ref.getNamespace(), ref.getName());
  }

  static dev.meshroll.proto.v1.SpecProblem problem(SpecProblem problem) {
    return dev.meshroll.proto.v1.SpecProblem.newBuilder()
        .setFile(problem.file())
        .setMessage(problem.toString())
        .build();
  }

  static Rollout rollout(RolloutView view) {
    Rollout.Builder rollout =
        Rollout.newBuilder().setRef(ref(view.ref())).addAllSpecProblems(view.specProblems());
    view.plan()
        .ifPresent(
            plan ->
                rollout
                    .setSpecFile(plan.spec().file())
                    .setRevision(plan.spec().revision())
                    .setStrategy(strategyName(plan.spec().strategy()))
                    .setStepCount(plan.size()));
    view.targets()
        .byRouter()
        .forEach(
            (router, roles) ->
                roles.forEach(
                    (role, target) ->
                        rollout.addTargets(
                            VersionTarget.newBuilder()
                                .setVersion(role)
                                .setRouter(router)
                                .setTarget(target))));
    if (!view.blocked().isEmpty()) {
      return rollout.setPhase(Phase.BLOCKED).setMessage(view.blocked()).build();
    }
    if (view.status().isEmpty()) {
      return rollout.setPhase(Phase.PROGRESSING).setMessage("starting").build();
    }
    RolloutStatus status = view.status().get();
    Plan plan = view.plan().orElseThrow();
    rollout
        .setPhase(Phase.valueOf(status.phase().name()))
        .setStep(status.step())
        .setStepName(status.step() < plan.size() ? plan.describe(status.step()) : "done")
        .setStepStartedAt(timestamp(status.stepStartedAt()))
        .setGeneration(status.traffic().generation())
        .setMessage(
            view.note().isEmpty() ? status.message() : status.message() + "; " + view.note())
        .setLive(status.live())
        .setOperatorPaused(status.operatorPaused());
    status
        .liveTargets()
        .forEach(
            (router, target) ->
                rollout.addLiveTargets(
                    RouterTarget.newBuilder().setRouter(router).setTarget(target)));
    for (Map.Entry<String, Integer> weight : status.traffic().weights().entrySet()) {
      rollout.addWeights(
          Weight.newBuilder().setVersion(weight.getKey()).setPercent(weight.getValue()));
    }
    status.traffic().headerRoutes().forEach(route -> rollout.addHeaderRoutes(route.name()));
    status.traffic().mirrorRoutes().forEach(route -> rollout.addMirrorRoutes(route.name()));
    for (String router : plan.routers()) {
      Verification answer = status.routers().get(router);
      rollout.addRouters(
          RouterState.newBuilder()
              .setRouter(router)
              .setState(answer == null ? "APPLYING" : answer.state().name())
              .setDetail(answer == null ? "" : answer.detail()));
    }
    status
        .analyses()
        .forEach(
            run ->
                rollout.addAnalyses(
                    AnalysisRun.newBuilder()
                        .setId(run.id())
                        .setName(run.name())
                        .addAllTemplates(run.analysis().templates())
                        .setPhase(run.phase().name())
                        .setMessage(run.message())
                        .addAllMetrics(
                            run.metrics().stream().map(RolloutMessages::metric).toList())));
    status
        .experiments()
        .forEach(
            experiment ->
                rollout.addExperiments(
                    dev.meshroll.proto.v1.ExperimentResult.newBuilder()
                        .setStep(experiment.step())
                        .setResult(experiment.result().name())
                        .setEndedAt(timestamp(experiment.endedAt()))
                        .setMessage(experiment.message())));
    status
        .conditions()
        .forEach(
            condition ->
                rollout.addConditions(
                    Condition.newBuilder()
                        .setType(condition.type())
                        .setStatus(condition.status())
                        .setMessage(condition.message())));
    status
        .history()
        .forEach(
            transition ->
                rollout.addHistory(
                    Transition.newBuilder()
                        .setAt(timestamp(transition.at()))
                        .setStep(transition.step())
                        .setPhase(Phase.valueOf(transition.phase().name()))
                        .setEvent(transition.event())));
    return rollout.build();
  }

  private static AnalysisMetric metric(MetricResult metric) {
    return AnalysisMetric.newBuilder()
        .setName(metric.name())
        .setDryRun(metric.dryRun())
        .setPhase(metric.phase().name())
        .setMeasured(metric.measured())
        .setSuccessful(metric.successful())
        .setFailed(metric.failed())
        .setInconclusive(metric.inconclusive())
        .setErrors(metric.errors())
        .addAllRecent(
            metric.recent().stream()
                .map(
                    sample ->
                        MetricSample.newBuilder()
                            .setAt(timestamp(sample.at()))
                            .setOutcome(sample.outcome().name())
                            .setValue(sample.value())
                            .setDetail(sample.detail())
                            .build())
                .toList())
        .setMessage(metric.message())
        .build();
  }

  private static String strategyName(Strategy strategy) {
    if (strategy instanceof Strategy.Canary) {
      return "canary";
    }
    return strategy instanceof Strategy.BlueGreen ? "blueGreen" : "experiment";
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }
}
