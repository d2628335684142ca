package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The state-of-the-world ADS protocol, spoken by a raw client that does exactly what a test says.
 */
class AdsProtocolTest {
  private XdsServer server;
  private ResourceSet base;
  private final List<AdsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    base = Resources.load(Path.of("src/test/resources/base")).resources();
    server = XdsServer.start(new InetSocketAddress("127.0.0.1", 0));
    server.publish(base);
  }

  @AfterEach
  void stop() {
    clients.forEach(AdsClient::close);
    server.close();
  }

  private AdsClient client(String node) {
    AdsClient client = new AdsClient(server.port(), node);
    clients.add(client);
    return client;
  }

  /** The base with route 'primary' sending to another cluster: a change of one route only. */
  private ResourceSet withPrimaryTo(String cluster) {
    RouteConfiguration routes = base.routes().get("ingress");
    var host = routes.getVirtualHosts(0).toBuilder();
    host.setRoutes(
        1,
        host.getRoutes(1).toBuilder()
            .setRoute(host.getRoutes(1).getRoute().toBuilder().setCluster(cluster)));
    TreeMap<String, RouteConfiguration> changed = new TreeMap<>();
    changed.put("ingress", routes.toBuilder().setVirtualHosts(0, host).build());
    return base.withRoutes(changed);
  }

  @Test
  void anAckedVersionIsNotSentAgainAndAnUnchangedPublishPushesNothing() throws Exception {
    AdsClient client = client("a");
    client.subscribe(TypeUrls.CLUSTER, "");
    DiscoveryResponse clusters = client.next();
    assertThat(clusters.getResourcesList()).hasSize(3);
    assertThat(clusters.getResources(0).unpack(Cluster.class).getName()).isEqualTo("reviews-v1");
    client.ack(clusters);

    server.publish(base);
    server.publish(withPrimaryTo("reviews-v2"));
    assertThat(client.nextWithin(500)).as("clusters did not change").isNull();
  }

  @Test
  void aRouteChangeReachesOnlyItsSubscribersAndIsAckedByVersion() throws Exception {
    AdsClient routes = client("routes");
    AdsClient clusters = client("clusters");
    routes.subscribe(TypeUrls.ROUTE, "", "ingress");
    clusters.subscribe(TypeUrls.CLUSTER, "");
    DiscoveryResponse first = routes.next();
    routes.ack(first, "ingress");
    clusters.ack(clusters.next());

    server.publish(withPrimaryTo("reviews-v2"));
    DiscoveryResponse second = routes.next();
    assertThat(second.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
    assertThat(route(second).getVirtualHosts(0).getRoutes(1).getRoute().getCluster())
        .isEqualTo("reviews-v2");
    assertThat(clusters.nextWithin(300)).isNull();

    routes.ack(second, "ingress");
    org.awaitility.Awaitility.await()
        .until(
            () ->
                server.nodes().stream()
                    .filter(node -> node.id().equals("routes"))
                    .allMatch(
                        node ->
                            node.acked()
                                .get("RouteConfiguration")
                                .equals(server.snapshot().versionInfo(TypeUrls.ROUTE))));
  }

  @Test
  void aRejectedVersionIsHeldBackUntilSomethingChanges() throws Exception {
    AdsClient client = client("picky");
    client.subscribe(TypeUrls.ROUTE, "", "ingress");
    DiscoveryResponse good = client.next();
    client.ack(good, "ingress");

    server.publish(withPrimaryTo("reviews-v2"));
    DiscoveryResponse rejected = client.next();
    client.nack(rejected, good.getVersionInfo(), "route primary: no such cluster", "ingress");
    server.publish(withPrimaryTo("reviews-v2"));
    assertThat(client.nextWithin(500)).as("the rejected version must not come again").isNull();
    assertThat(server.nodes().get(0).lastNack().map(Nack::toString))
        .hasValue(
            "RouteConfiguration 'ingress' (version "
                + rejected.getVersionInfo()
                + "): route primary: no such cluster");

    server.publish(withPrimaryTo("reviews-v3"));
    DiscoveryResponse fixed = client.next();
    assertThat(route(fixed).getVirtualHosts(0).getRoutes(1).getRoute().getCluster())
        .isEqualTo("reviews-v3");
  }

  @Test
  void aVersionClaimedWithoutANonceIsNoAckAndTheClientGetsTheCurrentState() throws Exception {
    AdsClient first = client("reconnecting");
    first.subscribe(TypeUrls.ROUTE, "", "ingress");
    DiscoveryResponse routes = first.next();
    first.ack(routes, "ingress");
    first.close();

    AdsClient again = client("reconnecting");
    again.subscribe(TypeUrls.ROUTE, routes.getVersionInfo(), "ingress");
    DiscoveryResponse pushed = again.next();
    assertThat(pushed.getVersionInfo()).isEqualTo(routes.getVersionInfo());
    assertThat(acked("reconnecting")).as("a claim is not an ACK").isEmpty();
    again.ack(pushed, "ingress");
    org.awaitility.Awaitility.await()
        .until(() -> acked("reconnecting").equals(routes.getVersionInfo()));

    AdsClient forged = client("forged");
    forged.subscribe(TypeUrls.ROUTE, server.snapshot().versionInfo(99_999), "ingress");
    assertThat(forged.next().getResourcesList()).hasSize(1);
    assertThat(acked("forged")).isEmpty();
  }

  /** The RouteConfiguration version a node last ACKed. */
  private String acked(String node) {
    return server.nodes().stream()
        .filter(status -> status.id().equals(node))
        .findFirst()
        .orElseThrow()
        .acked()
        .get("RouteConfiguration");
  }

  @Test
  void noNamesForRoutesOrEndpointsMeansNoneButAllListenersAndClusters() throws Exception {
    AdsClient client = client("empty");
    client.subscribe(TypeUrls.ENDPOINT, "");
    client.subscribe(TypeUrls.ROUTE, "");
    assertThat(client.nextWithin(500)).as("endpoints and routes of no name").isNull();

    client.subscribe(TypeUrls.CLUSTER, "");
    DiscoveryResponse clusters = client.next();
    assertThat(clusters.getResourcesList()).hasSize(3);
    client.subscribe(TypeUrls.LISTENER, "");
    assertThat(client.next().getResourcesList()).hasSize(base.listeners().size());

    client.subscribe(TypeUrls.ENDPOINT, "", "*");
    assertThat(client.nextWithin(500)).as("'*' is no wildcard for endpoints").isNull();
    client.subscribe(TypeUrls.ENDPOINT, "", "reviews-v2");
    assertThat(client.next().getResourcesList()).hasSize(1);
  }

  @Test
  void afterNamingClustersNoNamesMeansNoneAndAStarMeansAll() throws Exception {
    AdsClient client = client("explicit");
    client.subscribe(TypeUrls.CLUSTER, "", "reviews-v1");
    DiscoveryResponse one = client.next();
    assertThat(one.getResourcesList()).hasSize(1);
    client.ack(one, "reviews-v1");
    client.subscribe(TypeUrls.CLUSTER, one.getVersionInfo());
    assertThat(client.nextWithin(500)).isNull();
    client.subscribe(TypeUrls.CLUSTER, one.getVersionInfo(), "*");
    assertThat(client.next().getResourcesList()).hasSize(3);
  }

  @Test
  void aVersionOfAnEarlierServerRunIsNotTakenForCurrent() throws Exception {
    AdsClient client = client("old");
    client.subscribe(TypeUrls.ROUTE, "earlier-1", "ingress");
    assertThat(client.next().getResourcesList()).hasSize(1);
  }

  @Test
  void clustersComeBeforeTheRoutesThatUseThemAndRoutesGoFirstOnRemoval() throws Exception {
    AdsClient client = client("ordered");
    client.subscribe(TypeUrls.ROUTE, "", "ingress");
    client.ack(client.next(), "ingress");
    client.subscribe(TypeUrls.CLUSTER, "");
    client.ack(client.next());

    ResourceSet withV4 = withCluster(withPrimaryTo("reviews-v4"), "reviews-v4");
    server.publish(withV4);
    assertThat(List.of(client.next().getTypeUrl(), client.next().getTypeUrl()))
        .containsExactly(TypeUrls.CLUSTER, TypeUrls.ROUTE);

    server.publish(base);
    assertThat(List.of(client.next().getTypeUrl(), client.next().getTypeUrl()))
        .containsExactly(TypeUrls.ROUTE, TypeUrls.CLUSTER);
  }

  @Test
  void aClientThatNeverReadsCostsAtMostOneResponsePerType() throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    List<DiscoveryResponse> received = new CopyOnWriteArrayList<>();
    AtomicReference<ClientCallStreamObserver<DiscoveryRequest>> reader = new AtomicReference<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> stream) {
                    stream.disableAutoRequestWithInitial(0); // this client reads nothing until told
                    reader.set(stream);
                  }

                  @Override
                  public void onNext(DiscoveryResponse response) {
                    received.add(response);
                  }

                  @Override
                  public void onError(Throwable error) {}

                  @Override
                  public void onCompleted() {}
                });
    try {
      requests.onNext(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(TypeUrls.ROUTE)
              .addResourceNames("ingress")
              .build());
      String padding = "x".repeat(20_000); // big responses fill the transport's buffers quickly
      for (int i = 0; i < 300; i++) {
        ResourceSet changed = withPrimaryTo(i % 2 == 0 ? "reviews-v2" : "reviews-v3");
        RouteConfiguration routes = changed.routes().get("ingress");
        TreeMap<String, RouteConfiguration> padded = new TreeMap<>();
        padded.put(
            "ingress",
            routes.toBuilder()
                .setVirtualHosts(0, routes.getVirtualHosts(0).toBuilder().addDomains(padding + i))
                .build());
        server.publish(changed.withRoutes(padded));
      }
      org.awaitility.Awaitility.await().until(() -> server.unsentResponses() == 1);
      assertThat(received).isEmpty();

      reader.get().request(1_000);
      long newest = server.snapshot().type(TypeUrls.ROUTE).version();
      org.awaitility.Awaitility.await()
          .until(
              () ->
                  !received.isEmpty()
                      && received.get(received.size() - 1).getVersionInfo().endsWith("-" + newest));
      // What reached the client is what gRPC's flow-control windows (about 1 MB) held, plus the
      // newest: far fewer than the 300 versions published.
      assertThat(received.size()).as("responses the client got of 300 versions").isLessThan(100);
    } finally {
      channel.shutdownNow();
    }
  }

  private static ResourceSet withCluster(ResourceSet set, String name) {
    TreeMap<String, Cluster> clusters = new TreeMap<>(set.clusters());
    clusters.put(name, set.clusters().get("reviews-v1").toBuilder().setName(name).build());
    return new ResourceSet(set.listeners(), set.routes(), clusters, set.endpoints());
  }

  @Test
  void aSubscriptionForNamesGetsOnlyThoseAndAStaleNonceIsIgnored() throws Exception {
    AdsClient client = client("named");
    client.subscribe(TypeUrls.ENDPOINT, "", "reviews-v2");
    DiscoveryResponse endpoints = client.next();
    assertThat(endpoints.getResourcesList()).hasSize(1);

    client.subscribe(TypeUrls.ENDPOINT, "", "reviews-v2", "reviews-v3");
    DiscoveryResponse more = client.next();
    assertThat(more.getResourcesList()).hasSize(2);
    client.nack(endpoints, "", "stale complaint", "reviews-v2", "reviews-v3");
    assertThat(server.nodes().get(0).lastNack()).isEmpty();
  }

  private static RouteConfiguration route(DiscoveryResponse response)
      throws InvalidProtocolBufferException {
    return response.getResources(0).unpack(RouteConfiguration.class);
  }
}
