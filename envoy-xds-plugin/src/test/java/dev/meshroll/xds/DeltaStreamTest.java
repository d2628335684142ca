package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
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
 * Incremental streams driven directly, without gRPC in between: streams that subscribe to the same
 * names and hold the same versions share what they are sent, and nothing else.
 */
class DeltaStreamTest {
  private XdsServer server;
  private ServedSnapshot empty;
  private ResourceSet base;
  private final List<DeltaStream> streams = new ArrayList<>();

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

  private DeltaStream stream(RecordingObserver<DeltaDiscoveryResponse> out) {
    DeltaStream stream = new DeltaStream(server, out, null);
    streams.add(stream);
    return stream;
  }

  private void publish(ResourceSet resources) {
    ServedSnapshot previous = server.snapshot();
    ServedSnapshot next = server.publish(resources);
    XdsStream.Publication publication =
        new XdsStream.Publication(next, previous, next.removesClustersOf(previous));
    streams.forEach(stream -> stream.onSnapshot(publication));
  }

  private static DeltaDiscoveryRequest subscribe(
      String type, Map<String, String> held, String... names) {
    return DeltaDiscoveryRequest.newBuilder()
        .setTypeUrl(type)
        .addAllResourceNamesSubscribe(List.of(names))
        .putAllInitialResourceVersions(held)
        .build();
  }

  private static DeltaDiscoveryRequest ack(DeltaDiscoveryResponse response) {
    return DeltaDiscoveryRequest.newBuilder()
        .setTypeUrl(response.getTypeUrl())
        .setResponseNonce(response.getNonce())
        .build();
  }

  private static DeltaDiscoveryRequest nack(DeltaDiscoveryResponse response) {
    return ack(response).toBuilder()
        .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage("no"))
        .build();
  }

  private static Map<String, String> versions(DeltaDiscoveryResponse response) {
    Map<String, String> versions = new TreeMap<>();
    response.getResourcesList().forEach(r -> versions.put(r.getName(), r.getVersion()));
    return versions;
  }

  private static List<String> names(List<DeltaDiscoveryResponse> responses) {
    return responses.stream()
        .flatMap(response -> response.getResourcesList().stream())
        .map(Resource::getName)
        .toList();
  }

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

  @Test
  void aRejectionHoldsBackOnlyTheStreamThatRejected() throws Exception {
    var outA = new RecordingObserver<DeltaDiscoveryResponse>();
    var outB = new RecordingObserver<DeltaDiscoveryResponse>();
    DeltaStream a = stream(outA);
    DeltaStream b = stream(outB);
    a.onNext(subscribe(TypeUrls.ENDPOINT, Map.of(), "reviews-v1"));
    b.onNext(subscribe(TypeUrls.ENDPOINT, Map.of(), "reviews-v1"));
    a.onNext(ack(outA.take().get(0)));
    b.onNext(ack(outB.take().get(0)));

    ResourceSet moved = withEndpointsMoved(base, 6000, "reviews-v1");
    publish(moved);
    DeltaDiscoveryResponse movedA = outA.take().get(0);
    DeltaDiscoveryResponse movedB = outB.take().get(0);
    assertThat(versions(movedA)).isEqualTo(versions(movedB)).containsOnlyKeys("reviews-v1");
    a.onNext(ack(movedA));
    b.onNext(nack(movedB));

    publish(withEndpointsMoved(moved, 7000, "reviews-v2"));
    assertThat(outA.take()).as("reviews-v2 is not a's").isEmpty();
    assertThat(outB.take()).as("b rejected what reviews-v1 is still at").isEmpty();

    publish(withEndpointsMoved(moved, 8000, "reviews-v1"));
    assertThat(names(outA.take())).containsExactly("reviews-v1");
    assertThat(names(outB.take())).containsExactly("reviews-v1");
  }

  @Test
  void aStreamHoldingOtherVersionsGetsOnlyWhatItLacks() throws Exception {
    var outA = new RecordingObserver<DeltaDiscoveryResponse>();
    var outB = new RecordingObserver<DeltaDiscoveryResponse>();
    DeltaStream a = stream(outA);
    a.onNext(subscribe(TypeUrls.CLUSTER, Map.of()));
    DeltaDiscoveryResponse all = outA.take().get(0);
    assertThat(names(List.of(all))).containsExactly("reviews-v1", "reviews-v2", "reviews-v3");
    a.onNext(ack(all));

    Map<String, String> held = new TreeMap<>(versions(all));
    held.put("reviews-v2", "0000000000000000");
    held.remove("reviews-v3");
    held.put("reviews-v0", "0000000000000000");
    DeltaStream b = stream(outB);
    b.onNext(subscribe(TypeUrls.CLUSTER, held));
    DeltaDiscoveryResponse lacking = outB.take().get(0);
    assertThat(names(List.of(lacking))).containsExactly("reviews-v2", "reviews-v3");
    assertThat(lacking.getRemovedResourcesList()).containsExactly("reviews-v0");
    b.onNext(ack(lacking));

    publish(base);
    assertThat(outA.take()).isEmpty();
    assertThat(outB.take()).isEmpty();
  }

  @Test
  void anOlderSnapshotReachingAStreamAfterANewerOneSendsNothing() throws Exception {
    var out = new RecordingObserver<DeltaDiscoveryResponse>();
    DeltaStream stream = new DeltaStream(server, out, null);
    ServedSnapshot first = server.snapshot();
    server.publish(withEndpointsMoved(base, 6000, "reviews-v1"));
    ServedSnapshot newer = server.snapshot();

    // The request comes in after both publishes, before their fan-out reached this stream.
    stream.onNext(subscribe(TypeUrls.ENDPOINT, Map.of(), "reviews-v1"));
    DeltaDiscoveryResponse current = out.take().get(0);
    assertThat(current.getSystemVersionInfo()).isEqualTo(newer.versionInfo(TypeUrls.ENDPOINT));
    stream.onNext(ack(current));

    stream.onSnapshot(new XdsStream.Publication(first, empty, false));
    stream.onSnapshot(new XdsStream.Publication(newer, first, false));
    assertThat(out.take()).isEmpty();
  }
}
