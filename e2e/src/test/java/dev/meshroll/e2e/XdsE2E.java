package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged host with the packaged xds plugin and an xDS client on its ADS stream: the rollout
 * waits for the client's ACK, aborts with the client's own words when it NACKs, and the fleet shows
 * in {@code meshroll xds nodes}.
 */
class XdsE2E {
  private static final String ROUTES =
      "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  /**
   * An ADS client that ACKs what it accepts and NACKs what {@code rejects} says, as Envoy would.
   */
  private static final class Proxy implements AutoCloseable {
    final List<RouteConfiguration> accepted = new CopyOnWriteArrayList<>();
    private final ManagedChannel channel;
    private final StreamObserver<DiscoveryRequest> requests;
    private volatile String acceptedVersion = "";

    Proxy(int port, Predicate<RouteConfiguration> rejects) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      requests =
          AggregatedDiscoveryServiceGrpc.newStub(channel)
              .streamAggregatedResources(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse response) {
                      try {
                        RouteConfiguration routes =
                            response.getResources(0).unpack(RouteConfiguration.class);
                        DiscoveryRequest.Builder answer =
                            DiscoveryRequest.newBuilder()
                                .setTypeUrl(ROUTES)
                                .setResponseNonce(response.getNonce())
                                .addResourceNames("ingress");
                        if (rejects.test(routes)) {
                          answer
                              .setVersionInfo(acceptedVersion)
                              .setErrorDetail(
                                  com.google.rpc.Status.newBuilder()
                                      .setCode(3)
                                      .setMessage("route primary: weight 55 is not allowed here"));
                        } else {
                          accepted.add(routes);
                          acceptedVersion = response.getVersionInfo();
                          answer.setVersionInfo(acceptedVersion);
                        }
                        requests().onNext(answer.build());
                      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new IllegalStateException(e);
                      }
                    }

                    @Override
                    public void onError(Throwable error) {}

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(
          DiscoveryRequest.newBuilder()
              .setNode(Node.newBuilder().setId("edge-1").setCluster("edge"))
              .setTypeUrl(ROUTES)
              .addResourceNames("ingress")
              .build());
    }

    private StreamObserver<DiscoveryRequest> requests() {
      return requests;
    }

    /** The canary's weight on route 'primary' in the last accepted version. */
    int canaryWeight() {
      return XdsE2E.canaryWeight(accepted.get(accepted.size() - 1));
    }

    @Override
    public void close() {
      channel.shutdownNow();
    }
  }

  /** The canary's weight on route 'primary'. */
  private static int canaryWeight(RouteConfiguration routes) {
    return routes
        .getVirtualHosts(0)
        .getRoutes(1)
        .getRoute()
        .getWeightedClusters()
        .getClustersList()
        .stream()
        .filter(cluster -> cluster.getName().equals("reviews-v2"))
        .mapToInt(cluster -> cluster.getWeight().getValue())
        .sum();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
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
        """
        apiVersion: meshroll.dev/v1alpha1
        kind: Rollout
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          strategy:
            canary:
              trafficRouting:
                xds:
                  routeConfiguration: ingress
                  virtualHost: reviews
                  routes: [primary]
                  versions: {stable: reviews-v1, canary: reviews-v2}
              steps:
              - setWeight: 30
              - pause: {}
              - setWeight: 55
              - pause: {}
        """);
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

      try (Proxy proxy = new Proxy(xdsPort, routes -> canaryWeight(routes) == 55)) {
        HostProcess.eventually()
            .until(() -> host.get("bookinfo", "reviews").getPhase() == Phase.PAUSED);
        assertThat(proxy.canaryWeight()).isEqualTo(30);

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
        HostProcess.eventually().until(() -> proxy.canaryWeight() == 0);
        assertThat(host.cli("xds", "nodes").out())
            .as("the node ACKed the rollback: its NACK no longer stands")
            .doesNotContain("weight 55")
            .contains("edge-1  edge     1");
      }
    }
  }
}
