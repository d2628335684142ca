package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * State-of-the-world streams driven directly, without gRPC in between: what each stream answers
 * when streams share subscriptions and the state derived from them.
 */
class AdsStreamTest {
  private XdsServer server;
  private ServedSnapshot empty;
  private ResourceSet base;
  private final List<AdsStream> streams = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    base = Resources.load(Path.of("src/test/resources/base")).resources();
    server = XdsServer.start(new InetSocketAddress("127.0.0.1", 0));
    empty = server.snapshot();
    server.publish(base);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private AdsStream stream(RecordingObserver<DiscoveryResponse> out) {
    AdsStream stream = new AdsStream(server, out, null);
    streams.add(stream);
    return stream;
  }

  /** Publishes {@code resources} and hands the publication to this test's streams. */
  private ServedSnapshot publish(ResourceSet resources) {
    ServedSnapshot previous = server.snapshot();
    ServedSnapshot next = server.publish(resources);
    XdsStream.Publication publication =
        new XdsStream.Publication(next, previous, next.removesClustersOf(previous));
    streams.forEach(stream -> stream.onSnapshot(publication));
    return next;
  }

  private static DiscoveryRequest request(String type, String... names) {
    return DiscoveryRequest.newBuilder()
        .setTypeUrl(type)
        .addAllResourceNames(List.of(names))
        .build();
  }

  private static DiscoveryRequest ack(DiscoveryResponse response, String... names) {
    return request(response.getTypeUrl(), names).toBuilder()
        .setVersionInfo(response.getVersionInfo())
        .setResponseNonce(response.getNonce())
        .build();
  }

  /** The base with each named endpoint assignment on another port: a change of those only. */
  private ResourceSet withEndpointsMoved(ResourceSet set, int port, String... clusters) {
    TreeMap<String, ClusterLoadAssignment> endpoints = new TreeMap<>(set.endpoints());
    for (String cluster : clusters) {
      ClusterLoadAssignment.Builder moved = endpoints.get(cluster).toBuilder();
      moved
          .getEndpointsBuilder(0)
          .getLbEndpointsBuilder(0)
          .getEndpointBuilder()
          .getAddressBuilder()
          .getSocketAddressBuilder()
          .setPortValue(port);
      endpoints.put(cluster, moved.build());
    }
    return new ResourceSet(set.listeners(), set.routes(), set.clusters(), endpoints);
  }

  /** Each response's endpoint assignments, cluster name to port. */
  private static List<Map<String, Integer>> ports(List<DiscoveryResponse> responses)
      throws InvalidProtocolBufferException {
    List<Map<String, Integer>> ports = new ArrayList<>();
    for (DiscoveryResponse response : responses) {
      Map<String, Integer> byCluster = new TreeMap<>();
      for (Any resource : response.getResourcesList()) {
        ClusterLoadAssignment assignment = resource.unpack(ClusterLoadAssignment.class);
        byCluster.put(
            assignment.getClusterName(),
            assignment
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getPortValue());
      }
      ports.add(byCluster);
    }
    return ports;
  }

  @Test
  void streamsWithDifferentNamesNeverSeeEachOthersResources() throws Exception {
    var outA = new RecordingObserver<DiscoveryResponse>();
    var outB = new RecordingObserver<DiscoveryResponse>();
    var outC = new RecordingObserver<DiscoveryResponse>();
    AdsStream a = stream(outA);
    AdsStream b = stream(outB);
    AdsStream c = stream(outC);
    a.onNext(request(TypeUrls.ENDPOINT, "reviews-v1"));
    b.onNext(request(TypeUrls.ENDPOINT, "reviews-v2"));
    c.onNext(request(TypeUrls.ENDPOINT, "reviews-v1"));
    DiscoveryResponse firstA = outA.take().get(0);
    DiscoveryResponse firstB = outB.take().get(0);
    DiscoveryResponse firstC = outC.take().get(0);
    assertThat(ports(List.of(firstA, firstB, firstC)))
        .containsExactly(
            Map.of("reviews-v1", 50051), Map.of("reviews-v2", 50052), Map.of("reviews-v1", 50051));
    a.onNext(ack(firstA, "reviews-v1"));
    b.onNext(ack(firstB, "reviews-v2"));
    c.onNext(ack(firstC, "reviews-v1"));

    ResourceSet moved = withEndpointsMoved(base, 6000, "reviews-v1", "reviews-v2");
    publish(moved);
    List<DiscoveryResponse> movedA = outA.take();
    List<DiscoveryResponse> movedB = outB.take();
    assertThat(ports(movedA)).containsExactly(Map.of("reviews-v1", 6000));
    assertThat(ports(movedB)).containsExactly(Map.of("reviews-v2", 6000));
    assertThat(ports(outC.take())).containsExactly(Map.of("reviews-v1", 6000));

    b.onNext(ack(movedB.get(0), "reviews-v1", "reviews-v3"));
    List<DiscoveryResponse> more = outB.take();
    assertThat(ports(more)).containsExactly(Map.of("reviews-v1", 6000, "reviews-v3", 50053));
    b.onNext(ack(more.get(0), "reviews-v1", "reviews-v3"));
    a.onNext(ack(movedA.get(0), "reviews-v1"));

    publish(withEndpointsMoved(moved, 7000, "reviews-v3"));
    assertThat(outA.take()).as("reviews-v3 is not a's").isEmpty();
    assertThat(outC.take()).as("nor c's").isEmpty();
    assertThat(ports(outB.take())).containsExactly(Map.of("reviews-v1", 6000, "reviews-v3", 7000));
  }

  @Test
  void anOlderSnapshotReachingAStreamAfterANewerOneSendsNothing() throws Exception {
    var out = new RecordingObserver<DiscoveryResponse>();
    AdsStream stream = new AdsStream(server, out, null);
    ServedSnapshot first = server.snapshot();
    RouteConfiguration routes = base.routes().get("ingress");
    TreeMap<String, RouteConfiguration> changed = new TreeMap<>();
    changed.put(
        "ingress",
        routes.toBuilder()
            .setVirtualHosts(0, routes.getVirtualHosts(0).toBuilder().addDomains("newer"))
            .build());
    ServedSnapshot newer = server.publish(base.withRoutes(changed));

    // The request comes in after both publishes, before their fan-out reached this stream.
    stream.onNext(request(TypeUrls.ROUTE, "ingress"));
    DiscoveryResponse current = out.take().get(0);
    assertThat(current.getVersionInfo()).isEqualTo(newer.versionInfo(TypeUrls.ROUTE));
    stream.onNext(ack(current, "ingress"));

    stream.onSnapshot(new XdsStream.Publication(first, empty, false));
    stream.onSnapshot(new XdsStream.Publication(newer, first, false));
    assertThat(out.take()).isEmpty();
  }
}
