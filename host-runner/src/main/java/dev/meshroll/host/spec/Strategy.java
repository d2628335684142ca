package dev.meshroll.host.spec;

import dev.meshroll.api.HeaderMatch;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How a rollout moves traffic from the stable version to the new one. */
public sealed interface Strategy {

  /** Version role to Kubernetes Service name, for the routers that address versions so. */
  Map<String, String> services();

  TrafficRouting trafficRouting();

  /**
   * Whether the revision's stable targets are taken as live on purpose, even where they differ from
   * the ones the status records as live (see {@code Revisions}).
   */
  boolean adoptStable();

  /** Where the strategy is in the document, for messages: {@code spec.strategy.canary}. */
  String path();

  /**
   * Argo-Rollouts-style canary: the user's steps, then all traffic to the canary.
   *
   * @param background analysis that runs from step {@code startingStep} to the end
   */
  record Canary(
      Map<String, String> services,
      TrafficRouting trafficRouting,
      List<Step> steps,
      Optional<BackgroundAnalysis> background,
      boolean adoptStable)
      implements Strategy {
    public Canary {
      services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
      steps = List.copyOf(steps);
    }

    @Override
    public String path() {
      return "spec.strategy.canary";
    }
  }

  /**
   * Blue-green: the new version is reachable by a preview route while live traffic stays on the old
   * one, then all traffic switches at once.
   *
   * @param previewRoute the managed route that sends matching requests to the new version
   * @param autoPromotionEnabled whether the switch happens without an operator's promote
   * @param autoPromotionDelay how long after the preview the switch happens on its own
   * @param rollbackWindow how long after the switch a failure still switches back
   */
  record BlueGreen(
      Map<String, String> services,
      TrafficRouting trafficRouting,
      Optional<PreviewRoute> previewRoute,
      boolean autoPromotionEnabled,
      Duration autoPromotionDelay,
      Optional<AnalysisRef> prePromotionAnalysis,
      Optional<AnalysisRef> postPromotionAnalysis,
      Duration rollbackWindow,
      boolean adoptStable)
      implements Strategy {
    public BlueGreen {
      services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    }

    @Override
    public String path() {
      return "spec.strategy.blueGreen";
    }
  }

  /**
   * A standalone {@code Experiment} document: its variants take their weights from stable for the
   * experiment's duration while its analyses compare them; then every route is restored.
   */
  record Experiment(TrafficRouting trafficRouting, Step.Experiment experiment, boolean adoptStable)
      implements Strategy {
    @Override
    public Map<String, String> services() {
      return Map.of();
    }

    @Override
    public String path() {
      return "spec";
    }
  }

  /** A background analysis and the step it starts at. */
  record BackgroundAnalysis(AnalysisRef analysis, int startingStep) {}

  /** A blue-green preview route: its managed route name and header conditions. */
  record PreviewRoute(String name, List<HeaderMatch> match) {
    public PreviewRoute {
      match = List.copyOf(match);
    }
  }
}
