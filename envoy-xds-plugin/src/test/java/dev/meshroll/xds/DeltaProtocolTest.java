package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The incremental (delta) xDS protocol, spoken by a raw client. */
class DeltaProtocolTest {
  private XdsServer server;
  private ResourceSet base;
  private final List<DeltaClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    base = Resources.load(Path.of("src/test/resources/base")).resources();
    server = XdsServer.start(new InetSocketAddress("127.0.0.1", 0));
    server.publish(base);
  }

  @AfterEach
  void stop() {
    clients.forEach(DeltaClient::close);
    server.close();
  }

  private DeltaClient client(String node) {
    DeltaClient client = new DeltaClient(server.port(), node);
    clients.add(client);
    return client;
  }

  private static List<String> names(DeltaDiscoveryResponse response) {
    return response.getResourcesList().stream().map(Resource::getName).toList();
  }

  private static Map<String, String> versions(DeltaDiscoveryResponse response) {
    return response.getResourcesList().stream()
        .collect(Collectors.toMap(Resource::getName, Resource::getVersion));
  }

  private ResourceSet with(ResourceSet set, Cluster cluster, String without) {
    TreeMap<String, Cluster> clusters = new TreeMap<>(set.clusters());
    clusters.put(cluster.getName(), cluster);
    clusters.remove(without);
    return new ResourceSet(set.listeners(), set.routes(), clusters, set.endpoints());
  }

  @Test
  void onlyChangedResourcesAreSentAndRemovedOnesAreNamed() throws Exception {
    DeltaClient client = client("delta");
    client.subscribe(TypeUrls.CLUSTER, Map.of());
    DeltaDiscoveryResponse all = client.next();
    assertThat(names(all)).containsExactly("reviews-v1", "reviews-v2", "reviews-v3");
    assertThat(all.getRemovedResourcesList()).isEmpty();
    client.ack(all);

    server.publish(base);
    assertThat(client.nextWithin(400)).isNull();

    Cluster changed =
        base.clusters().get("reviews-v2").toBuilder().setLbPolicy(Cluster.LbPolicy.RANDOM).build();
    server.publish(with(base, changed, ""));
    DeltaDiscoveryResponse one = client.next();
    assertThat(names(one)).containsExactly("reviews-v2");
    assertThat(one.getResources(0).getResource().unpack(Cluster.class).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RANDOM);
    client.ack(one);

    server.publish(with(base, changed, "reviews-v3"));
    DeltaDiscoveryResponse removal = client.next();
    assertThat(removal.getResourcesList()).isEmpty();
    assertThat(removal.getRemovedResourcesList()).containsExactly("reviews-v3");
  }

  @Test
  void aClientReconnectingWithCurrentVersionsGetsNothingUntilAChange() throws Exception {
    DeltaClient first = client("again");
    first.subscribe(TypeUrls.CLUSTER, Map.of());
    DeltaDiscoveryResponse all = first.next();
    first.ack(all);
    first.close();

    DeltaClient again = client("again");
    again.subscribe(TypeUrls.CLUSTER, versions(all));
    assertThat(again.nextWithin(400)).isNull();

    Cluster changed =
        base.clusters().get("reviews-v1").toBuilder().setLbPolicy(Cluster.LbPolicy.RANDOM).build();
    server.publish(with(base, changed, ""));
    assertThat(names(again.next())).containsExactly("reviews-v1");
  }

  @Test
  void aRejectedVersionIsHeldBackAndCountsForVerify() throws Exception {
    DeltaClient client = client("picky");
    client.subscribe(TypeUrls.ROUTE, Map.of(), "ingress");
    DeltaDiscoveryResponse good = client.next();
    client.ack(good);
    org.awaitility.Awaitility.await()
        .until(
            () ->
                server
                    .nodes()
                    .get(0)
                    .acked()
                    .get("RouteConfiguration")
                    .equals(server.snapshot().versionInfo(TypeUrls.ROUTE)));

    RouteConfiguration routes = base.routes().get("ingress");
    TreeMap<String, RouteConfiguration> other = new TreeMap<>();
    other.put(
        "ingress",
        routes.toBuilder()
            .setVirtualHosts(0, routes.getVirtualHosts(0).toBuilder().addDomains("other"))
            .build());
    server.publish(base.withRoutes(other));
    DeltaDiscoveryResponse rejected = client.next();
    client.nack(rejected, "no such domain");
    server.publish(base.withRoutes(other));
    assertThat(client.nextWithin(400)).isNull();
    org.awaitility.Awaitility.await().until(() -> server.nodes().get(0).lastNack().isPresent());
    assertThat(server.nodes().get(0).lastNack().get().message()).isEqualTo("no such domain");

    server.publish(base);
    assertThat(client.nextWithin(400)).as("back to what the client kept: nothing to send").isNull();

    TreeMap<String, RouteConfiguration> third = new TreeMap<>();
    third.put(
        "ingress",
        routes.toBuilder()
            .setVirtualHosts(0, routes.getVirtualHosts(0).toBuilder().addDomains("third"))
            .build());
    server.publish(base.withRoutes(third));
    assertThat(names(client.next())).containsExactly("ingress");
  }

  @Test
  void aFirstRequestWithoutNamesSubscribesToAllClustersButToNoEndpoints() throws Exception {
    DeltaClient client = client("empty");
    client.subscribe(TypeUrls.ENDPOINT, Map.of());
    client.subscribe(TypeUrls.ROUTE, Map.of());
    assertThat(client.nextWithin(500)).as("endpoints and routes of no name").isNull();
    client.subscribe(TypeUrls.CLUSTER, Map.of());
    assertThat(names(client.next())).containsExactly("reviews-v1", "reviews-v2", "reviews-v3");
  }

  @Test
  void namedSubscriptionsGrowAndShrink() throws Exception {
    DeltaClient client = client("named");
    client.subscribe(TypeUrls.ENDPOINT, Map.of(), "reviews-v2");
    DeltaDiscoveryResponse first = client.next();
    assertThat(names(first)).containsExactly("reviews-v2");
    client.ack(first);

    client.change(TypeUrls.ENDPOINT, List.of("reviews-v3"), List.of("reviews-v2"));
    DeltaDiscoveryResponse more = client.next();
    assertThat(names(more)).containsExactly("reviews-v3");
  }
}
