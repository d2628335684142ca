package dev.meshroll.host.engine;

/** Rollout specs the engine tests drive. */
final class TestRollouts {
  private TestRollouts() {}

  /** Every canary step kind; plan: steps[0..8], then the promotion (index 9). */
  static final String CANARY =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: reviews, namespace: bookinfo}
      spec:
        strategy:
          canary:
            stableService: reviews-stable
            canaryService: reviews-canary
            trafficRouting:
              managedRoutes: [{name: tester}, {name: shadow}]
              xds: {routes: [primary]}
              istio: {virtualService: {name: reviews}}
            analysis: {templates: [{templateName: success-rate}], startingStep: 2}
            steps:
            - setMirrorRoute: {name: shadow, percentage: 50, match: [{method: {exact: GET}}]}
            - setHeaderRoute: {name: tester, match: [{headerName: x-canary, headerValue: {exact: "1"}}]}
            - setWeight: 10
            - pause: {duration: 2m}
            - analysis: {templates: [{templateName: latency}]}
            - experiment:
                duration: 10m
                variants:
                - {name: baseline, version: stable, weight: 5}
                - {name: candidate, version: canary, weight: 5}
                analyses: [{name: compare, templateName: error-rate}]
            - setHeaderRoute: {name: tester}
            - setWeight: 50
            - pause: {}
      """;

  /** Index of the promotion step of {@link #CANARY}. */
  static final int CANARY_PROMOTION = 9;

  static final String BLUE_GREEN =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: checkout, namespace: shop}
      spec:
        strategy:
          blueGreen:
            activeService: checkout-active
            previewService: checkout-preview
            trafficRouting:
              managedRoutes: [{name: preview}]
              xds: {routes: [checkout]}
            previewRoute: {name: preview, match: [{headerName: x-preview, headerValue: {exact: "true"}}]}
            prePromotionAnalysis: {templates: [{templateName: smoke}]}
            autoPromotionEnabled: false
            postPromotionAnalysis: {templates: [{templateName: smoke}]}
            rollbackWindowSeconds: 300
      """;

  static final String BLUE_GREEN_AUTO =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: checkout, namespace: shop}
      spec:
        strategy:
          blueGreen:
            trafficRouting:
              managedRoutes: [{name: preview}]
              xds: {routes: [checkout]}
            previewRoute: {name: preview, match: [{headerName: x-preview, headerValue: {exact: "true"}}]}
            autoPromotionSeconds: 60
      """;

  /** Two weights and a pause, for short scenarios. */
  /** A standalone experiment: two variants at 10% each for 10 minutes, one comparing analysis. */
  static final String EXPERIMENT =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Experiment
      metadata: {name: reviews-v2, namespace: bookinfo}
      spec:
        trafficRouting:
          xds: {routes: [primary], versions: {baseline: reviews-v1-b, candidate: reviews-v2-c}}
        duration: 10m
        variants:
        - {name: baseline, version: stable, weight: 10}
        - {name: candidate, version: canary, weight: 10}
        analyses:
        - name: compare
          templateName: error-ratio-vs-baseline
          args: [{name: candidate, valueFrom: {version: candidate}}]
      """;

  static final String SIMPLE =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: ratings, namespace: bookinfo}
      spec:
        strategy:
          canary:
            trafficRouting:
              xds: {routes: [primary]}
            steps:
            - setWeight: 20
            - pause: {duration: 1m}
            - setWeight: 60
      """;

  /** A canary that waits for promotion at 10% and at 50%. */
  static final String PAUSED_TWICE =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: reviews, namespace: bookinfo}
      spec:
        strategy:
          canary:
            trafficRouting:
              xds: {routes: [primary]}
            steps:
            - setWeight: 10
            - pause: {}
            - setWeight: 50
            - pause: {}
      """;
}
