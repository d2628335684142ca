package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.Phase;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged host with the packaged istio and smi plugins, against fabric8's Kubernetes mock API
 * server in CRUD mode (a real HTTP API on loopback), reached by a kubeconfig: one rollout with both
 * routers edits the VirtualService and the TrafficSplit step by step.
 */
class KubernetesE2E {
  private static final ResourceDefinitionContext VIRTUAL_SERVICES =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();
  private static final ResourceDefinitionContext TRAFFIC_SPLITS =
      new ResourceDefinitionContext.Builder()
          .withGroup("split.smi-spec.io")
          .withVersion("v1alpha3")
          .withKind("TrafficSplit")
          .withPlural("trafficsplits")
          .withNamespaced(true)
          .build();

  @TempDir Path folder;
  private KubernetesMockServer api;
  private KubernetesClient client;

  @BeforeEach
  void startApi() throws Exception {
    // CRUD mode, with expectations answered first: the API server's discovery of SMI versions.
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    api =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false);
    api.init(InetAddress.getByName("127.0.0.1"), 0);
    client = api.createClient();
    api.expect()
        .get()
        .withPath("/apis/split.smi-spec.io")
        .andReturn(
            200,
            new APIGroupBuilder()
                .withName("split.smi-spec.io")
                .addNewVersion()
                .withGroupVersion("split.smi-spec.io/v1alpha3")
                .withVersion("v1alpha3")
                .endVersion()
                .withNewPreferredVersion()
                .withGroupVersion("split.smi-spec.io/v1alpha3")
                .withVersion("v1alpha3")
                .endPreferredVersion()
                .build())
        .always();
    for (String service : List.of("reviews", "reviews-stable", "reviews-canary")) {
      client
          .services()
          .inNamespace("bookinfo")
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName(service)
                  .withNamespace("bookinfo")
                  .endMetadata()
                  .withNewSpec()
                  .addNewPort()
                  .withPort(9080)
                  .endPort()
                  .endSpec()
                  .build())
          .create();
    }
    client
        .genericKubernetesResources(VIRTUAL_SERVICES)
        .inNamespace("bookinfo")
        .resource(
            Serialization.unmarshal(
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews, namespace: bookinfo}
                spec:
                  hosts: [reviews]
                  http:
                  - name: primary
                    route:
                    - destination: {host: reviews-stable}
                      weight: 100
                    - destination: {host: reviews-canary}
                      weight: 0
                    timeout: 3s
                """,
                GenericKubernetesResource.class))
        .create();
    Files.writeString(
        folder.resolve("kube.yaml"),
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "http://127.0.0.1:%d"}}]
        users: [{name: tester, user: {token: not-a-secret}}]
        contexts: [{name: mock, context: {cluster: mock, user: tester}}]
        current-context: mock
        """
            .formatted(api.getPort()));
  }

  @AfterEach
  void stopApi() {
    client.close();
    api.destroy();
  }

  @SuppressWarnings("unchecked")
  private List<Integer> virtualServiceWeights() {
    GenericKubernetesResource vs =
        client
            .genericKubernetesResources(VIRTUAL_SERVICES)
            .inNamespace("bookinfo")
            .withName("reviews")
            .get();
    Map<String, Object> spec = (Map<String, Object>) vs.getAdditionalProperties().get("spec");
    Map<String, Object> primary = ((List<Map<String, Object>>) spec.get("http")).get(0);
    assertThat(primary).containsEntry("timeout", "3s");
    return ((List<Map<String, Object>>) primary.get("route"))
        .stream().map(route -> ((Number) route.get("weight")).intValue()).toList();
  }

  @SuppressWarnings("unchecked")
  private List<Integer> trafficSplitWeights() {
    GenericKubernetesResource split =
        client
            .genericKubernetesResources(TRAFFIC_SPLITS)
            .inNamespace("bookinfo")
            .withName("reviews")
            .get();
    Map<String, Object> spec = (Map<String, Object>) split.getAdditionalProperties().get("spec");
    assertThat(spec).containsEntry("service", "reviews");
    return ((List<Map<String, Object>>) spec.get("backends"))
        .stream().map(backend -> ((Number) backend.get("weight")).intValue()).toList();
  }

  @Test
  void oneRolloutMovesTheVirtualServiceAndTheTrafficSplitTogether() throws Exception {
    HostProcess host =
        new HostProcess(
            folder,
            """
              istio: {kubeconfig: kube.yaml}
              smi: {kubeconfig: kube.yaml, context: mock}
            """
                .stripTrailing());
    host.writeRollout(
        "reviews.yaml",
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
                istio: {virtualService: {name: reviews, routes: [primary]}}
                smi: {rootService: reviews, apiVersion: v1alpha3}
              steps:
              - setWeight: 20
              - pause: {}
              - setWeight: 60
              - pause: {}
        """);
    try (host) {
      host.start();
      try {
        HostProcess.eventually()
            .until(() -> host.get("bookinfo", "reviews").getPhase() == Phase.PAUSED);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(host.get("bookinfo", "reviews") + "\n" + host.log(), e);
      }
      assertThat(virtualServiceWeights()).containsExactly(80, 20);
      assertThat(trafficSplitWeights()).containsExactly(80, 20);

      assertThat(host.cli("promote", "bookinfo/reviews").exitCode()).isZero();
      HostProcess.eventually().until(() -> host.get("bookinfo", "reviews").getStep() == 3);
      assertThat(virtualServiceWeights()).containsExactly(40, 60);
      assertThat(trafficSplitWeights()).containsExactly(40, 60);

      assertThat(host.cli("promote", "bookinfo/reviews").exitCode()).isZero();
      HostProcess.eventually()
          .until(() -> host.get("bookinfo", "reviews").getPhase() == Phase.HEALTHY);
      assertThat(virtualServiceWeights()).containsExactly(0, 100);
      assertThat(trafficSplitWeights()).containsExactly(0, 100);
    }
  }
}
