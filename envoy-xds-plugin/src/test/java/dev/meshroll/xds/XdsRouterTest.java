package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RequestMatch;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.StringMatch;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.api.Verification;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router over its own server: settings, validation, hot reload, release. */
class XdsRouterTest {
  @TempDir Path folder;
  private XdsRouter router;

  @BeforeEach
  void start() throws Exception {
    Path mesh = Files.createDirectories(folder.resolve("mesh"));
    Files.copy(Path.of("src/test/resources/base/grpc.yaml"), mesh.resolve("grpc.yaml"));
    router = new XdsRouter();
    router.start(
        Map.of("listen", "127.0.0.1:0", "resources", "mesh", "reloadSeconds", 0.1), folder);
  }

  @AfterEach
  void stop() {
    router.stop();
  }

  private static RolloutRouting routing(Map<String, Object> config) {
    return new RolloutRouting(
        new RolloutRef("bookinfo", "reviews"),
        List.of("stable", "canary"),
        Map.of(),
        List.of(),
        config);
  }

  private static Map<String, Object> config(String canaryCluster) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("routeConfiguration", "ingress");
    config.put("virtualHost", "reviews");
    config.put("routes", List.of("primary"));
    config.put("versions", Map.of("stable", "reviews-v1", "canary", canaryCluster));
    return config;
  }

  private static RouteIntent intent(long generation, int canary) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("stable", 100 - canary);
    weights.put("canary", canary);
    return new RouteIntent(
        routing(config("reviews-v2")), generation, weights, List.of(), List.of());
  }

  @Test
  void validateReportsEveryProblemOfTheConfig() {
    Map<String, Object> config = config("reviews-v9");
    config.put("virtualhost", "typo");
    assertThat(router.validate(routing(config)))
        .containsExactly(
            new ValidationProblem(
                "virtualhost",
                "unknown field (expected one of: routeConfiguration, virtualHost, routes, versions)"),
            new ValidationProblem(
                "versions.canary",
                "cluster 'reviews-v9' is not defined (clusters: [reviews-v1, reviews-v2, reviews-v3])"));
    assertThat(router.validate(routing(Map.of())))
        .extracting(ValidationProblem::field)
        .containsExactly("routeConfiguration", "virtualHost", "versions");
    assertThat(router.validate(routing(config("reviews-v2")))).isEmpty();
  }

  @Test
  void aBadBaseChangeIsRefusedAndTheLastGoodSetKeepsServing() throws Exception {
    router.apply(intent(1, 40));
    Files.writeString(
        folder.resolve("mesh").resolve("extra.yaml"), "resources: [{\"@type\": nonsense}]");
    Thread.sleep(400);
    try (AdsClient client = new AdsClient(router.port(), "n")) {
      client.subscribe(TypeUrls.ROUTE, "", "ingress");
      DiscoveryResponse routes = client.next();
      RouteConfiguration served = routes.getResources(0).unpack(RouteConfiguration.class);
      assertThat(
              served
                  .getVirtualHosts(0)
                  .getRoutes(1)
                  .getRoute()
                  .getWeightedClusters()
                  .getClusters(1)
                  .getWeight()
                  .getValue())
          .isEqualTo(40);

      Files.delete(folder.resolve("mesh").resolve("extra.yaml"));
      String base = Files.readString(folder.resolve("mesh").resolve("grpc.yaml"));
      Files.writeString(
          folder.resolve("mesh").resolve("grpc.yaml"), base.replace("timeout: 5s", "timeout: 7s"));
      client.ack(routes, "ingress");
      DiscoveryResponse reloaded = client.next();
      RouteConfiguration after = reloaded.getResources(0).unpack(RouteConfiguration.class);
      assertThat(after.getVirtualHosts(0).getRoutes(1).getRoute().getTimeout().getSeconds())
          .isEqualTo(7);
      assertThat(
              after
                  .getVirtualHosts(0)
                  .getRoutes(1)
                  .getRoute()
                  .getWeightedClusters()
                  .getClustersCount())
          .isEqualTo(2);
    }
  }

  @Test
  void anOlderGenerationIsRefusedAndReleaseKeepsTheFinalWeights() throws Exception {
    router.apply(intent(5, 60));
    assertThatThrownBy(() -> router.apply(intent(4, 10)))
        .isInstanceOf(RouterException.class)
        .hasMessage("xds: bookinfo/reviews generation 4 is older than 5, which is in force");

    router.release(intent(6, 100));
    try (AdsClient client = new AdsClient(router.port(), "n")) {
      client.subscribe(TypeUrls.ROUTE, "", "ingress");
      RouteConfiguration served = client.next().getResources(0).unpack(RouteConfiguration.class);
      assertThat(
              served
                  .getVirtualHosts(0)
                  .getRoutes(1)
                  .getRoute()
                  .getWeightedClusters()
                  .getClustersList())
          .extracting(cluster -> cluster.getName() + "=" + cluster.getWeight().getValue())
          .containsExactly("reviews-v2=100");
    }
  }

  @Test
  void aMirrorRouteReachesTheClientAsARequestMirrorPolicy() throws Exception {
    RolloutRouting routing =
        new RolloutRouting(
            new RolloutRef("bookinfo", "reviews"),
            List.of("stable", "canary"),
            Map.of(),
            List.of("shadow"),
            config("reviews-v2"));
    MirrorRoute shadow =
        new MirrorRoute(
            "shadow",
            "canary",
            25,
            List.of(
                new RequestMatch(
                    Optional.of(StringMatch.exact("GET")), Optional.empty(), Map.of())));
    router.apply(new RouteIntent(routing, 2, Map.of("stable", 100), List.of(), List.of(shadow)));

    try (AdsClient client = new AdsClient(router.port(), "mirror-reader")) {
      client.subscribe(TypeUrls.ROUTE, "", "ingress");
      RouteConfiguration served = client.next().getResources(0).unpack(RouteConfiguration.class);
      var mirrored = served.getVirtualHosts(0).getRoutes(1);
      assertThat(mirrored.getName()).isEqualTo("shadow");
      assertThat(mirrored.getMatch().getHeaders(0).getName()).isEqualTo(":method");
      var policy = mirrored.getRoute().getRequestMirrorPolicies(0);
      assertThat(policy.getCluster()).isEqualTo("reviews-v2");
      assertThat(policy.getRuntimeFraction().getDefaultValue().getNumerator()).isEqualTo(25);
      assertThat(served.getVirtualHosts(0).getRoutes(2).getName()).isEqualTo("primary");
    }
  }

  @Test
  void applyRefusesAnIntentWhoseRegexRe2RefusesAndServesWhatWasThere() throws Exception {
    // An intent that did not come through the host's parser: the router checks it again.
    RolloutRouting routing =
        new RolloutRouting(
            new RolloutRef("bookinfo", "reviews"),
            List.of("stable", "canary"),
            Map.of(),
            List.of("tester"),
            config("reviews-v2"));
    router.apply(intent(1, 20));
    HeaderRoute backReference =
        new HeaderRoute(
            "tester", "canary", List.of(new HeaderMatch("x-user", StringMatch.regex("(a)\\1"))));

    assertThatThrownBy(
            () ->
                router.apply(
                    new RouteIntent(
                        routing, 2, Map.of("stable", 100), List.of(backReference), List.of())))
        .isInstanceOf(RouterException.class)
        .hasMessage(
            "xds: bookinfo/reviews: header route 'tester':"
                + " match.headers[0].string_match.safe_regex.regex: '(a)\\1' is not valid RE2:"
                + " invalid escape sequence: `\\1`");
    try (AdsClient client = new AdsClient(router.port(), "n")) {
      client.subscribe(TypeUrls.ROUTE, "", "ingress");
      RouteConfiguration served = client.next().getResources(0).unpack(RouteConfiguration.class);
      assertThat(served.getVirtualHosts(0).getRoutesList())
          .extracting(Route::getName)
          .containsExactly("health", "primary");
      assertThat(
              served
                  .getVirtualHosts(0)
                  .getRoutes(1)
                  .getRoute()
                  .getWeightedClusters()
                  .getClustersList())
          .extracting(cluster -> cluster.getName() + "=" + cluster.getWeight().getValue())
          .containsExactly("reviews-v1=80", "reviews-v2=20");
    }
  }

  @Test
  void startRefusesABaseWhoseRegexRe2Refuses() throws Exception {
    Path mesh = Files.createDirectories(folder.resolve("bad-mesh"));
    Files.writeString(
        mesh.resolve("grpc.yaml"),
        Files.readString(Path.of("src/test/resources/base/grpc.yaml"))
            .replace(
                "match: {prefix: /grpc.health}", "match: {safe_regex: {regex: \"/(?=grpc)\"}}"));
    XdsRouter other = new XdsRouter();

    assertThatThrownBy(
            () -> other.start(Map.of("listen", "127.0.0.1:0", "resources", "bad-mesh"), folder))
        .isInstanceOf(RouterException.class)
        .hasMessage(
            "xds: the resources in "
                + mesh
                + " are refused: grpc.yaml: resources[1]: RouteConfiguration 'ingress':"
                + " virtual_hosts[0].routes[0].match.safe_regex.regex: '/(?=grpc)' is not valid"
                + " RE2: invalid or unsupported Perl syntax: `(?=`");
  }

  @Test
  void theIntentsInForceAreServedFromTheFirstResponseAfterARestart() throws Exception {
    router.apply(intent(3, 40));
    router.stop();
    router = new XdsRouter();
    router.start(Map.of("listen", "127.0.0.1:0", "resources", "mesh"), folder);

    try (AdsClient client = new AdsClient(router.port(), "n")) {
      client.subscribe(TypeUrls.ROUTE, "", "ingress");
      DiscoveryResponse first = client.next();
      RouteConfiguration served = first.getResources(0).unpack(RouteConfiguration.class);
      assertThat(
              served
                  .getVirtualHosts(0)
                  .getRoutes(1)
                  .getRoute()
                  .getWeightedClusters()
                  .getClustersList())
          .extracting(cluster -> cluster.getName() + "=" + cluster.getWeight().getValue())
          .containsExactly("reviews-v1=60", "reviews-v2=40");
      client.ack(first, "ingress");
      await().until(() -> router.verify(intent(3, 40)).state() == Verification.State.CONVERGED);
    }
  }

  @Test
  void anEmptyFleetWaitsForMinNodesSayingHowToConnectThenGivesUp() throws Exception {
    XdsRouter impatient = new XdsRouter();
    impatient.start(
        Map.of("listen", "127.0.0.1:0", "resources", "mesh", "verifyTimeout", 0.2), folder);
    try {
      RouteIntent intent = intent(1, 20);
      impatient.apply(intent);
      assertThat(impatient.verify(intent).detail())
          .startsWith(
              "waiting for nodes: 0 nodes subscribe to RouteConfiguration 'ingress', at least 1"
                  + " needed (minNodes); connect a client whose Listener leads to it (README:"
                  + " \"Connect a fleet\"); gives up at ");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> impatient.verify(intent).state() == Verification.State.FAILED);
      assertThat(impatient.verify(intent).detail())
          .isEqualTo(
              "only 0 nodes subscribe to RouteConfiguration 'ingress' after 0s (minNodes 1)");
    } finally {
      impatient.stop();
    }
  }

  @Test
  void withMinNodesZeroAnEmptyFleetHasNothingToWaitFor() throws Exception {
    XdsRouter relaxed = new XdsRouter();
    relaxed.start(Map.of("listen", "127.0.0.1:0", "resources", "mesh", "minNodes", 0), folder);
    try {
      relaxed.apply(intent(1, 20));
      assertThat(relaxed.verify(intent(1, 20))).isEqualTo(Verification.converged("0/0 nodes"));
    } finally {
      relaxed.stop();
    }
  }

  @Test
  void aNackOfTheCanarysClusterFailsTheStepWithTheNodesWordsAndNamesTheCluster() throws Exception {
    String refusal = "Error adding/updating cluster(s) reviews-v2: unsupported lb_policy MAGLEV";
    try (FleetNode node =
        new FleetNode(
            router.port(),
            "edge-1",
            response ->
                response.getTypeUrl().equals(TypeUrls.CLUSTER)
                    ? Optional.of(refusal)
                    : Optional.empty())) {
      router.apply(intent(1, 0));
      await()
          .alias("the node keeps the clusters its NACK did not name")
          .until(() -> router.verify(intent(1, 0)).state() == Verification.State.CONVERGED);

      router.apply(intent(2, 20));
      Verification failed = router.verify(intent(2, 20));
      assertThat(failed.state()).isEqualTo(Verification.State.FAILED);
      assertThat(failed.detail())
          .startsWith("node edge-1 rejected Cluster 'reviews-v2' (version ")
          .endsWith("): " + refusal);
      assertThat(router.status().toString()).contains(refusal);
    }
  }

  @Test
  void aVersionWhoseClusterANodeHasNotReceivedIsPending() throws Exception {
    try (FleetNode node = new FleetNode(router.port(), "edge-1")) {
      node.holding(response -> response.getTypeUrl().equals(TypeUrls.CLUSTER));
      router.apply(intent(1, 30));
      await()
          .until(
              () ->
                  router
                      .verify(intent(1, 30))
                      .detail()
                      .startsWith("0/1 nodes; waiting for edge-1 (lacks Cluster 'reviews-v1')"));
      node.answerHeld();
      await().until(() -> router.verify(intent(1, 30)).state() == Verification.State.CONVERGED);
    }
  }

  @Test
  void aNodeThatLaggedBeforeARestartStillCountsAfterIt() throws Exception {
    FleetNode a = new FleetNode(router.port(), "a");
    FleetNode b = new FleetNode(router.port(), "b");
    router.apply(intent(1, 10));
    await().until(() -> router.verify(intent(1, 10)).detail().equals("2/2 nodes"));
    b.holding(response -> true);
    router.apply(intent(2, 40));
    await()
        .until(() -> router.verify(intent(2, 40)).detail().startsWith("1/2 nodes; waiting for b"));
    a.close();
    b.close();
    router.stop();

    router = new XdsRouter();
    router.start(Map.of("listen", "127.0.0.1:0", "resources", "mesh"), folder);
    try (FleetNode again = new FleetNode(router.port(), "a")) {
      router.apply(intent(2, 40)); // what a restarted host does: the stored generation again
      await()
          .until(
              () ->
                  router
                      .verify(intent(2, 40))
                      .detail()
                      .equals(
                          "1/2 nodes (1 not reconnected since the host restarted); waiting for b"
                              + " (not reconnected since the host restarted; it had generation 1);"
                              + " no deadline: this change was in force before the host"
                              + " restarted"));
      try (FleetNode back = new FleetNode(router.port(), "b")) {
        await().until(() -> router.verify(intent(2, 40)).detail().equals("2/2 nodes"));
      }
    }
  }

  @Test
  void aStepConvergedBeforeARestartStaysConvergedWithNoNodeBack() throws Exception {
    try (FleetNode node = new FleetNode(router.port(), "edge-1")) {
      router.apply(intent(3, 50));
      await().until(() -> router.verify(intent(3, 50)).state() == Verification.State.CONVERGED);
    }
    router.stop();

    router = new XdsRouter();
    router.start(
        Map.of(
            "listen",
            "127.0.0.1:0",
            "resources",
            "mesh",
            "verifyTimeout",
            0.1,
            "reconnectGrace",
            1),
        folder);
    router.apply(intent(3, 50));
    Thread.sleep(300); // longer than verifyTimeout: no deadline applies to what was in force
    assertThat(router.verify(intent(3, 50)))
        .isEqualTo(
            Verification.converged("1/1 nodes (1 not reconnected since the host restarted)"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> router.verify(intent(3, 50)).state() == Verification.State.PENDING);
    assertThat(router.verify(intent(3, 50)).detail())
        .as("the grace is over: the node is forgotten, but nothing fails")
        .endsWith("; no deadline: this change was in force before the host restarted");
    try (FleetNode back = new FleetNode(router.port(), "edge-1")) {
      await().until(() -> router.verify(intent(3, 50)).detail().equals("1/1 nodes"));
    }
  }

  @Test
  void aReleaseIsVerifiedLikeAnyIntent() throws Exception {
    try (FleetNode node = new FleetNode(router.port(), "edge-1")) {
      router.apply(intent(1, 30));
      await().until(() -> router.verify(intent(1, 30)).state() == Verification.State.CONVERGED);
      node.holding(response -> true);
      router.release(intent(2, 0));
      assertThat(router.verify(intent(2, 0)).detail()).startsWith("0/1 nodes; waiting for edge-1");
      node.answerHeld();
      await().until(() -> router.verify(intent(2, 0)).state() == Verification.State.CONVERGED);
    }
  }

  @Test
  void theFleetViewHasOneRowPerNodeWithTheGenerationItsRoutesCarry() throws Exception {
    router.apply(intent(4, 30));
    try (FleetNode one = new FleetNode(router.port(), "edge-1");
        FleetNode twin = new FleetNode(router.port(), "edge-1")) {
      await().until(() -> router.verify(intent(4, 30)).state() == Verification.State.CONVERGED);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> nodes = (List<Map<String, Object>>) router.status().get("nodes");
      assertThat(nodes).hasSize(1);
      assertThat(nodes.get(0))
          .containsEntry("id", "edge-1")
          .containsEntry("streams", 2)
          .containsEntry("generations", Map.of("bookinfo/reviews", 4L))
          .doesNotContainKey("lastNack");
    }
  }

  @Test
  void startRefusesBadSettings() {
    XdsRouter other = new XdsRouter();
    assertThatThrownBy(() -> other.start(Map.of(), folder))
        .hasMessage("xds: settings need resources: a folder of Envoy resource files");
    assertThatThrownBy(() -> other.start(Map.of("resources", "mesh", "minFraction", 2), folder))
        .hasMessage("xds: minFraction 2.0 is not within (0, 1]");
  }
}
