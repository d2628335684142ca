package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.xds.FleetNode;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged host with the packaged xds plugin and an Envoy-like ADS node ({@link FleetNode}):
 * the rollout waits for the client's ACK, aborts with the client's own words when it NACKs, and the
 * fleet shows in {@code meshroll xds nodes}.
 */
class XdsE2E {
  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** An Envoy-like node that NACKs a route giving the canary 55%, in its own words. */
  private static FleetNode picky(int port) {
    return new FleetNode(
        port,
        "edge-1",
        response ->
            response.getTypeUrl().endsWith("RouteConfiguration")
                    && response.getResourcesList().stream().anyMatch(any -> weight(any) == 55)
                ? Optional.of("route primary: weight 55 is not allowed here")
                : Optional.empty());
  }

  private static int weight(com.google.protobuf.Any routes) {
    try {
      return FleetNode.weight(routes.unpack(RouteConfiguration.class), "primary", "reviews-v2");
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theRolloutWaitsForTheFleetAndAbortsOnItsNack(@TempDir Path folder) throws Exception {
    int xdsPort = freePort();
    Files.createDirectories(folder.resolve("mesh"));
    Files.copy(
        Path.of("src/test/resources/xds-base.yaml"), folder.resolve("mesh").resolve("base.yaml"));
    HostProcess host =
        new HostProcess(folder, "  xds: {listen: 127.0.0.1:" + xdsPort + ", resources: mesh}");
    host.writeRollout(
        "reviews.yaml",
        Rollouts.xds(
            "reviews-v1",
            "reviews-v2",
            "",
            "setWeight: 30",
            "pause: {}",
            "setWeight: 55",
            "pause: {}"));
    try (host) {
      host.start();
      HostProcess.eventually()
          .until(
              () ->
                  host.get("bookinfo", "reviews")
                      .getRouters(0)
                      .getDetail()
                      .startsWith("waiting for nodes: 0 nodes subscribe"));
      assertThat(host.get("bookinfo", "reviews").getStep()).isZero();

      try (FleetNode node = picky(xdsPort)) {
        HostProcess.eventually()
            .until(() -> host.get("bookinfo", "reviews").getPhase() == Phase.PAUSED);
        assertThat(node.weight("primary", "reviews-v2")).isEqualTo(30);

        HostProcess.Cli nodes = host.cli("xds", "nodes");
        assertThat(nodes.exitCode()).as(nodes.out()).isZero();
        assertThat(nodes.out()).contains("edge-1").contains("bookinfo/reviews gen ");
        assertThat(host.http("GET", "/v1/routers/xds/status", null).body())
            .contains("\"id\": \"edge-1\"");

        assertThat(host.cli("promote", "bookinfo/reviews").exitCode()).isZero();
        HostProcess.eventually().until(() -> HostProcess.ended(host.get("bookinfo", "reviews")));
        Rollout aborted = host.get("bookinfo", "reviews");
        assertThat(aborted.getMessage())
            .startsWith(
                "aborted: router xds failed: node edge-1 rejected RouteConfiguration 'ingress'"
                    + " (version ")
            .endsWith(
                ": route primary: weight 55 is not allowed here; rolled back, fleet converged:"
                    + " stable serves all traffic");
        HostProcess.eventually().until(() -> node.weight("primary", "reviews-v2") == 0);
        assertThat(host.cli("xds", "nodes").out())
            .as("the node ACKed the rollback: its NACK no longer stands")
            .doesNotContain("weight 55")
            .contains("edge-1  fleet    1");
      }
    }
  }
}
