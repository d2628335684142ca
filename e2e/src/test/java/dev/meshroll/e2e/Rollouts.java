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
}
