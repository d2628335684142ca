package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.PromoteRequest;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RolloutRef;
import dev.meshroll.xds.Backends;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged host's xds router with a fleet of @grpc/grpc-js-xds (Node), an xDS client
 * independent of grpc-java, calling real gRPC backends: the split it observes follows the weights,
 * a header route sends every matching call to the canary, and a Cluster it rejects fails the step
 * with its own words.
 */
class NodeClientE2E {
  private static final RolloutRef REVIEWS =
      RolloutRef.newBuilder().setNamespace("bookinfo").setName("reviews").build();
  private static final int RPCS = 2000;

  @TempDir Path folder;
  private final Backends backends = new Backends();
  private List<Integer> ports;
  private int xdsPort;

  @BeforeEach
  void startBackends() throws Exception {
    ports = backends.start("v1", "v2", "v3");
  }

  @AfterEach
  void stopBackends() {
    backends.close();
  }

  @Test
  void theObservedSplitFollowsEachWeight() throws Exception {
    HostProcess host =
        host(
            "",
            Rollouts.xds(
                "reviews-v1",
                "reviews-v2",
                "",
                "setWeight: 20",
                "pause: {}",
                "setWeight: 50",
                "pause: {}",
                "setWeight: 80",
                "pause: {}"));
    try (host;
        NodeXdsClient node = node()) {
      List<Integer> canaryWeights = List.of(20, 50, 80);
      for (int i = 0; i < canaryWeights.size(); i++) {
        int weight = canaryWeights.get(i);
        if (i > 0) {
          host.api().promote(PromoteRequest.newBuilder().setRollout(REVIEWS).build());
        }
        Rollout paused = awaitPausedAndConverged(host, 2 * i + 1); // steps[2i+1] is its pause
        assertThat(weights(paused)).isEqualTo("stable=" + (100 - weight) + " canary=" + weight);
        node.count(50); // the ACK can come a few ms before the channel routes by the new config
        NodeXdsClient.Counts counts = node.count(RPCS);
        assertThat(counts.errors()).as("%s", counts).isZero();
        assertThat(counts.counts().keySet()).as("%s", counts).isSubsetOf("v1", "v2");
        assertThat(counts.percent("v2"))
            .as("canary at %d%%: %s", weight, counts)
            .isCloseTo(weight, Offset.offset(3.0));
      }
    }
  }

  @Test
  void aHeaderRouteSendsEveryMatchingCallToTheCanaryAndTheRestToStable() throws Exception {
    HostProcess host =
        host(
            "",
            Rollouts.xds(
                "reviews-v1",
                "reviews-v2",
                "",
                "setHeaderRoute: {name: tester, match: [{headerName: x-canary, "
                    + "headerValue: {exact: '1'}}]}",
                "pause: {}"));
    try (host;
        NodeXdsClient node = node()) {
      awaitPausedAndConverged(host, 1);
      node.count(50);

      assertThat(node.count(200, "x-canary", "1").counts()).isEqualTo(Map.of("v2", 200));
      assertThat(node.count(200, "x-canary", "0").counts()).isEqualTo(Map.of("v1", 200));
      assertThat(node.count(200).counts()).isEqualTo(Map.of("v1", 200));
    }
  }

  @Test
  void aClusterTheClientRejectsFailsTheStepWithItsWordsAndStableServesAll() throws Exception {
    // grpc-js knows no MAGLEV: it NACKs this Cluster once a route names it.
    String maglev =
        """
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: reviews-maglev
          type: EDS
          eds_cluster_config: {eds_config: {ads: {}, resource_api_version: V3}}
          lb_policy: MAGLEV
        - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
          cluster_name: reviews-maglev
          endpoints:
          - locality: {region: local}
            load_balancing_weight: 1
            lb_endpoints:
            - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
        """
            .formatted(ports.get(1));
    HostProcess host =
        host(
            maglev, Rollouts.xds("reviews-v1", "reviews-maglev", "", "setWeight: 10", "pause: {}"));
    try (host;
        NodeXdsClient node = node()) {
      // Paused would mean the step went on although the node rejected what it needs.
      Rollout decided =
          HostProcess.eventually()
              .until(
                  () -> host.get("bookinfo", "reviews"),
                  rollout ->
                      rollout.getPhase() == Phase.DEGRADED || rollout.getPhase() == Phase.PAUSED);
      assertThat(decided.getPhase()).as(describe(decided)).isEqualTo(Phase.DEGRADED);
      assertThat(decided.getMessage())
          .contains("node-client-1")
          .contains("Cluster")
          .contains("reviews-maglev")
          .contains("load_balancing_policy unset and unsupported lb_policy: MAGLEV");

      assertThat(weights(decided)).isEqualTo("stable=100 canary=0");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> node.count(50).counts().equals(Map.of("v1", 50)));
      NodeXdsClient.Counts counts = node.count(300);
      assertThat(counts.counts()).as("%s", counts).isEqualTo(Map.of("v1", 300));
      assertThat(counts.errors()).as("%s", counts).isZero();
    }
  }

  /** A host whose xds router serves xds-base.yaml (plus {@code extra}) pointed at the backends. */
  private HostProcess host(String extra, String rollout) throws Exception {
    Path mesh = Files.createDirectories(folder.resolve("mesh"));
    String base =
        Files.readString(Path.of("src/test/resources/xds-base.yaml"))
            .replace("50051", ports.get(0).toString())
            .replace("50052", ports.get(1).toString())
            .replace("50053", ports.get(2).toString());
    Files.writeString(mesh.resolve("base.yaml"), base + extra);
    xdsPort = freePort();
    HostProcess host =
        new HostProcess(folder, "  xds: {listen: 127.0.0.1:" + xdsPort + ", resources: mesh}");
    host.writeRollout("reviews.yaml", rollout);
    return host.start();
  }

  /** The Node client as the fleet, once it is served: its first call answers. */
  private NodeXdsClient node() throws Exception {
    NodeXdsClient node = new NodeXdsClient(xdsPort, "node-client-1", folder.resolve("node.log"));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> node.count(1).errors() == 0);
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
    return node;
  }

  private static Rollout awaitPausedAndConverged(HostProcess host, int step) {
    return HostProcess.eventually()
        .until(
            () -> host.get("bookinfo", "reviews"),
            rollout ->
                rollout.getPhase() == Phase.PAUSED
                    && rollout.getStep() == step
                    && routerState(rollout).equals("CONVERGED"));
  }

  private static String describe(Rollout rollout) {
    return "%s at step %d (%s), xds %s %s, message: %s"
        .formatted(
            rollout.getPhase(),
            rollout.getStep(),
            weights(rollout),
            routerState(rollout),
            rollout.getRoutersCount() == 0 ? "" : rollout.getRouters(0).getDetail(),
            rollout.getMessage());
  }

  private static String routerState(Rollout rollout) {
    return rollout.getRoutersCount() == 0 ? "" : rollout.getRouters(0).getState();
  }

  private static String weights(Rollout rollout) {
    return String.join(
        " ",
        rollout.getWeightsList().stream().map(w -> w.getVersion() + "=" + w.getPercent()).toList());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
