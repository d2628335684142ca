package dev.meshroll.host.engine;

import dev.meshroll.api.Capability;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.host.spec.AnalysisRef;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.Step;
import dev.meshroll.host.spec.Strategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A rollout's strategy as one list of steps for the engine. Canary: the user's steps, then a {@link
 * Step.Switch}. Blue-green: the preview route, the pre-promotion analysis, the wait for promotion,
 * the switch, and a {@link Step.Hold} for the post-promotion analysis and the rollback window.
 */
public final class Plan {
  private final RolloutSpec spec;
  private final List<Step> steps;
  private final List<String> labels;
  private final Optional<Strategy.BackgroundAnalysis> background;
  private final List<String> versions;

  private Plan(
      RolloutSpec spec,
      List<Step> steps,
      List<String> labels,
      Optional<Strategy.BackgroundAnalysis> background) {
    this.spec = spec;
    this.steps = List.copyOf(steps);
    this.labels = List.copyOf(labels);
    this.background = background;
    Set<String> roles = new LinkedHashSet<>(List.of(RolloutRouting.STABLE, RolloutRouting.CANARY));
    for (Step step : steps) {
      if (step instanceof Step.Experiment experiment) {
        experiment.variants().forEach(variant -> roles.add(variant.name()));
      }
    }
    this.versions = List.copyOf(roles);
  }

  public static Plan of(RolloutSpec spec) {
    List<Step> steps = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    if (spec.strategy() instanceof Strategy.Canary canary) {
      for (int i = 0; i < canary.steps().size(); i++) {
        steps.add(canary.steps().get(i));
        labels.add("steps[" + i + "]");
      }
      steps.add(new Step.Switch());
      labels.add("promotion");
      return new Plan(spec, steps, labels, canary.background());
    }
    if (spec.strategy() instanceof Strategy.Experiment experiment) {
      // No promotion: the experiment ends by giving its variants' traffic back to stable.
      return new Plan(
          spec, List.of(experiment.experiment()), List.of("experiment"), Optional.empty());
    }
    Strategy.BlueGreen blueGreen = (Strategy.BlueGreen) spec.strategy();
    blueGreen
        .previewRoute()
        .ifPresent(
            preview -> {
              steps.add(new Step.SetHeaderRoute(preview.name(), preview.match()));
              labels.add("previewRoute");
            });
    blueGreen
        .prePromotionAnalysis()
        .ifPresent(
            analysis -> {
              steps.add(new Step.Analysis(analysis));
              labels.add("prePromotionAnalysis");
            });
    steps.add(
        new Step.Pause(
            blueGreen.autoPromotionEnabled()
                ? Optional.of(blueGreen.autoPromotionDelay())
                : Optional.empty()));
    labels.add(blueGreen.autoPromotionEnabled() ? "autoPromotion" : "awaitingPromotion");
    steps.add(new Step.Switch());
    labels.add("promotion");
    if (blueGreen.postPromotionAnalysis().isPresent() || !blueGreen.rollbackWindow().isZero()) {
      steps.add(new Step.Hold(blueGreen.rollbackWindow(), blueGreen.postPromotionAnalysis()));
      labels.add("postPromotion");
    }
    return new Plan(spec, steps, labels, Optional.empty());
  }

  public RolloutSpec spec() {
    return spec;
  }

  public List<Step> steps() {
    return steps;
  }

  public int size() {
    return steps.size();
  }

  /** Where step {@code index} comes from, e.g. {@code steps[3]} or {@code prePromotionAnalysis}. */
  public String label(int index) {
    return labels.get(index);
  }

  /** {@code steps[2] setWeight 10}: the step's origin and what it does. */
  public String describe(int index) {
    return label(index) + " " + describe(steps.get(index));
  }

  int switchIndex() {
    return steps.indexOf(new Step.Switch());
  }

  Optional<Strategy.BackgroundAnalysis> background() {
    return background;
  }

  /**
   * Every analysis the rollout may start, each with where it is asked for: {@code canary.analysis},
   * {@code steps[4]}, {@code steps[5].analyses[compare]}, {@code postPromotion}.
   */
  public Map<String, AnalysisRef> analyses() {
    Map<String, AnalysisRef> analyses = new LinkedHashMap<>();
    background.ifPresent(b -> analyses.put("canary.analysis", b.analysis()));
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      if (step instanceof Step.Analysis analysis) {
        analyses.put(label(i), analysis.analysis());
      } else if (step instanceof Step.Hold hold && hold.analysis().isPresent()) {
        analyses.put(label(i), hold.analysis().get());
      } else if (step instanceof Step.Experiment experiment) {
        for (Step.ExperimentAnalysis each : experiment.analyses()) {
          analyses.put(label(i) + ".analyses[" + each.name() + "]", each.analysis());
        }
      }
    }
    return analyses;
  }

  /** Whether this is a standalone Experiment document rather than a rollout. */
  public boolean standaloneExperiment() {
    return spec.strategy() instanceof Strategy.Experiment;
  }

  /** Every version role the rollout may route to: stable, canary, then experiment variants. */
  public List<String> versions() {
    return versions;
  }

  /** The ids of the rollout's routers, in the spec's order. */
  public List<String> routers() {
    return List.copyOf(spec.strategy().trafficRouting().routers().keySet());
  }

  public List<String> managedRoutes() {
    return spec.strategy().trafficRouting().managedRoutes();
  }

  /** What the rollout asks of one of its routers for its whole life. */
  public RolloutRouting routing(String router) {
    Map<String, Object> config = spec.strategy().trafficRouting().routers().get(router);
    if (config == null) {
      throw new IllegalArgumentException(spec.ref() + " has no router '" + router + "'");
    }
    return new RolloutRouting(
        spec.ref(), versions, spec.strategy().services(), managedRoutes(), config);
  }

  /** The intent one router receives for {@code traffic}. */
  public RouteIntent intent(String router, Traffic traffic) {
    return new RouteIntent(
        routing(router),
        traffic.generation(),
        traffic.weights(),
        traffic.headerRoutes(),
        traffic.mirrorRoutes());
  }

  /** Each capability the plan needs, with the first step that needs it. */
  public Map<Capability, String> requiredCapabilities() {
    Map<Capability, String> needs = new LinkedHashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      Capability capability = null;
      if (step instanceof Step.SetWeight || step instanceof Step.Switch) {
        capability = Capability.WEIGHTS;
      } else if (step instanceof Step.SetHeaderRoute) {
        capability = Capability.HEADER_ROUTES;
      } else if (step instanceof Step.SetMirrorRoute) {
        capability = Capability.MIRROR_ROUTES;
      } else if (step instanceof Step.Experiment experiment) {
        capability = Capability.MULTIPLE_VERSIONS;
        if (experiment.variants().stream().anyMatch(variant -> !variant.match().isEmpty())) {
          needs.putIfAbsent(Capability.HEADER_ROUTES, describe(i));
        }
      }
      if (capability != null) {
        needs.putIfAbsent(capability, describe(i));
      }
    }
    return needs;
  }

  /**
   * Why the rollout cannot run with routers of these capabilities: one message per step and router
   * that lacks what the step needs. Empty when it can run.
   */
  public List<String> refusals(Map<String, Set<Capability>> capabilitiesByRouter) {
    List<String> refusals = new ArrayList<>();
    requiredCapabilities()
        .forEach(
            (capability, step) ->
                capabilitiesByRouter.forEach(
                    (router, capabilities) -> {
                      if (!capabilities.contains(capability)) {
                        refusals.add(
                            spec.file()
                                + ": "
                                + step
                                + " needs "
                                + capability
                                + ", which router '"
                                + router
                                + "' does not offer");
                      }
                    }));
    return refusals;
  }

  static String describe(Step step) {
    if (step instanceof Step.SetWeight setWeight) {
      return "setWeight " + setWeight.weight();
    }
    if (step instanceof Step.Pause pause) {
      return pause.duration().map(d -> "pause " + format(d)).orElse("pause until promoted");
    }
    if (step instanceof Step.SetHeaderRoute route) {
      return "setHeaderRoute " + route.name() + (route.match().isEmpty() ? " (remove)" : "");
    }
    if (step instanceof Step.SetMirrorRoute route) {
      return route.match().isEmpty()
          ? "setMirrorRoute " + route.name() + " (remove)"
          : "setMirrorRoute " + route.name() + " " + route.percentage() + "%";
    }
    if (step instanceof Step.Analysis analysis) {
      return "analysis " + templates(analysis.analysis());
    }
    if (step instanceof Step.Experiment experiment) {
      return "experiment "
          + format(experiment.duration())
          + " "
          + experiment.variants().stream()
              .map(
                  variant ->
                      variant.name()
                          + " "
                          + variant.weight()
                          + "%"
                          + (variant.match().isEmpty() ? "" : " + header route"))
              .collect(Collectors.joining(", "));
    }
    if (step instanceof Step.Switch) {
      return "all traffic to canary";
    }
    if (step instanceof Step.Hold hold) {
      return "hold "
          + format(hold.window())
          + hold.analysis().map(analysis -> " with analysis " + templates(analysis)).orElse("");
    }
    throw new AssertionError("unknown step " + step);
  }

  private static String templates(AnalysisRef analysis) {
    return String.join(", ", analysis.templates());
  }

  /** {@code 1h30m}, {@code 2m}, {@code 45s}, {@code 1s500ms}, {@code 0s}. */
  public static String format(Duration duration) {
    StringBuilder text = new StringBuilder();
    if (duration.toHours() > 0) {
      text.append(duration.toHours()).append('h');
    }
    if (duration.toMinutesPart() > 0) {
      text.append(duration.toMinutesPart()).append('m');
    }
    if (duration.toSecondsPart() > 0 || (text.length() == 0 && duration.toMillisPart() == 0)) {
      text.append(duration.toSecondsPart()).append('s');
    }
    if (duration.toMillisPart() > 0) {
      text.append(duration.toMillisPart()).append("ms");
    }
    return text.toString();
  }
}
