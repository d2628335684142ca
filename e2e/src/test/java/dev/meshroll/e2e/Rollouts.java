package dev.meshroll.e2e;

/** Rollout specs for the scenarios; each uses the recorder router. */
final class Rollouts {
  private Rollouts() {}

  /** A canary in {@code namespace/name}, with the recorder's config and these steps. */
  static String canary(String namespace, String name, String recorderConfig, String... steps) {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: meshroll.dev/v1alpha1
            kind: Rollout
            metadata: {name: %s, namespace: %s}
            spec:
              strategy:
                canary:
                  trafficRouting:
                    managedRoutes: [{name: tester}]
                    recorder: %s
                  steps:
            """
                .formatted(name, namespace, recorderConfig));
    for (String step : steps) {
      yaml.append("        - ").append(step).append('\n');
    }
    return yaml.toString();
  }

  /**
   * A canary in bookinfo/reviews through the xds router over xds-base.yaml's route 'primary', with
   * a managed route 'tester', {@code strategyLine} (e.g. {@code adoptStable: true}; empty for none)
   * and these steps.
   */
  static String xds(String stable, String canary, String strategyLine, String... steps) {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: meshroll.dev/v1alpha1
            kind: Rollout
            metadata: {name: reviews, namespace: bookinfo}
            spec:
              strategy:
                canary:
            """);
    if (!strategyLine.isEmpty()) {
      yaml.append("      ").append(strategyLine).append('\n');
    }
    yaml.append(
        """
              trafficRouting:
                managedRoutes: [{name: tester}]
                xds:
                  routeConfiguration: ingress
                  virtualHost: reviews
                  routes: [primary]
                  versions: {stable: %s, canary: %s}
              steps:
        """
            .formatted(stable, canary));
    for (String step : steps) {
      yaml.append("      - ").append(step).append('\n');
    }
    return yaml.toString();
  }
}
