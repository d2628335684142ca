package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.StringMatch;
import dev.meshroll.api.Verification;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real proxyless gRPC clients (io.grpc:grpc-xds) bootstrapped at the router's xDS server, calling
 * two real backends: traffic shifts as the intents say, and verify knows when it has.
 *
 * <p>One server for the class: grpc-xds reads its bootstrap once per JVM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GrpcClientTest {
  private static final RolloutRef ROLLOUT = new RolloutRef("bookinfo", "reviews");
  private static final int RPCS = 2000;
  @TempDir static Path folder;
  private static Backends backends;
  private static XdsRouter router;
  private static ManagedChannel channel;
  private static long generation;

  @BeforeAll
  static void start() throws Exception {
    backends = new Backends();
    List<Integer> ports = backends.start("v1", "v2", "v3");
    Path resources = Files.createDirectories(folder.resolve("mesh"));
    String base = Files.readString(Path.of("src/test/resources/base/grpc.yaml"));
    Files.writeString(
        resources.resolve("grpc.yaml"),
        base.replace("50051", ports.get(0).toString())
            .replace("50052", ports.get(1).toString())
            .replace("50053", ports.get(2).toString()));
    router = new XdsRouter();
    router.start(Map.of("listen", "127.0.0.1:0", "resources", "mesh", "verifyTimeout", 30), folder);
    System.setProperty(
        "io.grpc.xds.bootstrapConfig",
        """
        {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                          "server_features": ["xds_v3"]}],
         "node": {"id": "grpc-client-1", "cluster": "test", "locality": {"zone": "local"}}}
        """
            .formatted(router.port()));
  }

  @AfterAll
  static void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    router.stop();
    backends.close();
    System.clearProperty("io.grpc.xds.bootstrapConfig");
  }

  private static RouteIntent intent(int canary, List<HeaderRoute> headers) {
    RolloutRouting routing =
        new RolloutRouting(
            ROLLOUT,
            List.of("stable", "canary"),
            Map.of(),
            List.of("tester"),
            Map.of(
                "routeConfiguration",
                "ingress",
                "virtualHost",
                "reviews",
                "routes",
                List.of("primary"),
                "versions",
                Map.of("stable", "reviews-v1", "canary", "reviews-v2")));
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("stable", 100 - canary);
    weights.put("canary", canary);
    return new RouteIntent(routing, ++generation, weights, headers, List.of());
  }

  private static String call(Metadata headers) {
    var stub = MetadataUtils.newAttachHeadersInterceptor(headers);
    return ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(channel, stub),
        Backends.VERSION,
        CallOptions.DEFAULT.withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS),
        "");
  }

  private static Map<String, Integer> count(int rpcs, Metadata headers) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < rpcs; i++) {
      counts.merge(call(headers), 1, Integer::sum);
    }
    return counts;
  }

  private static void applyAndAwaitConverged(RouteIntent intent) throws Exception {
    router.apply(intent);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> router.verify(intent).state() == Verification.State.CONVERGED);
    count(50, new Metadata()); // a few RPCs may still take the old route right after the ACK
  }

  @Test
  @Order(1)
  void verifyWaitsForAClientToAck() throws Exception {
    RouteIntent intent = intent(0, List.of());
    router.apply(intent);
    assertThat(router.verify(intent).detail())
        .startsWith(
            "waiting for nodes: 0 nodes subscribe to RouteConfiguration 'ingress', at least 1"
                + " needed (minNodes)");

    channel = Grpc.newChannelBuilder("xds:///reviews", InsecureChannelCredentials.create()).build();
    assertThat(call(new Metadata())).isEqualTo("v1");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> router.verify(intent).equals(Verification.converged("1/1 nodes")));
    assertThat(router.nodes()).extracting(NodeStatus::id).containsExactly("grpc-client-1");
  }

  @Test
  @Order(2)
  void theObservedSplitFollowsTheWeights() throws Exception {
    for (int canary : List.of(20, 50, 80)) {
      applyAndAwaitConverged(intent(canary, List.of()));
      Map<String, Integer> counts = count(RPCS, new Metadata());
      double observed = 100.0 * counts.getOrDefault("v2", 0) / RPCS;
      assertThat(observed)
          .as("canary at %d%%: %s", canary, counts)
          .isCloseTo(canary, org.assertj.core.data.Offset.offset(3.0));
    }
  }

  @Test
  @Order(3)
  void aHeaderRouteSendsEveryMatchingRequestToTheCanary() throws Exception {
    HeaderRoute tester =
        new HeaderRoute(
            "tester", "canary", List.of(new HeaderMatch("x-canary", StringMatch.exact("1"))));
    applyAndAwaitConverged(intent(10, List.of(tester)));
    Metadata header = new Metadata();
    header.put(Metadata.Key.of("x-canary", Metadata.ASCII_STRING_MARSHALLER), "1");

    assertThat(count(200, header)).isEqualTo(Map.of("v2", 200));
    assertThat(count(500, new Metadata())).containsKey("v1");
  }

  @Test
  @Order(4)
  void aRegexThatRe2RefusesNeverReachesTheClient() throws Exception {
    // Java's engine reads a lookahead; RE2, which gRPC and Envoy run, does not.
    HeaderRoute lookahead =
        new HeaderRoute(
            "tester", "canary", List.of(new HeaderMatch("x-canary", StringMatch.regex("(?=1)1"))));
    RouteIntent refused = intent(30, List.of(lookahead));

    assertThatThrownBy(() -> router.apply(refused))
        .isInstanceOf(RouterException.class)
        .hasMessage(
            "xds: bookinfo/reviews: header route 'tester':"
                + " match.headers[0].string_match.safe_regex.regex: '(?=1)1' is not valid RE2:"
                + " invalid or unsupported Perl syntax: `(?=`");
    assertThat(router.verify(refused))
        .isEqualTo(
            Verification.pending("generation " + refused.generation() + " is not applied yet"));
    assertThat(router.nodes().get(0).lastNack()).isEmpty();
    Metadata header = new Metadata();
    header.put(Metadata.Key.of("x-canary", Metadata.ASCII_STRING_MARSHALLER), "1");
    assertThat(count(100, header)).as("the header route before stays").isEqualTo(Map.of("v2", 100));
  }

  @Test
  @Order(5)
  void aRejectedRouteFailsVerifyWithTheClientsWordsAndStableServesAgain() throws Exception {
    // A redirect is good Envoy config that proxyless gRPC cannot carry out: the client NACKs the
    // route configuration holding one (our checks let it through, as Envoy would take it) and
    // keeps its last good config. The step applied over such a base fails verify.
    Path file = folder.resolve("mesh").resolve("grpc.yaml");
    String good = Files.readString(file);
    Files.writeString(
        file,
        good.replace(
            "    - name: primary\n",
            """
                - name: moved
                  match: {prefix: /reviews.OldReviews/}
                  redirect: {path_redirect: /reviews.Reviews/}
                - name: primary
            """));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                router
                    .nodes()
                    .get(0)
                    .lastNack()
                    .map(Nack::message)
                    .orElse("")
                    .contains("REDIRECT"));

    RouteIntent rejected = intent(30, List.of());
    router.apply(rejected);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> router.verify(rejected).state() == Verification.State.FAILED);
    assertThat(router.verify(rejected).detail())
        .startsWith("node grpc-client-1 rejected RouteConfiguration 'ingress' (version ")
        .contains("Route [moved] with unknown action type: REDIRECT");
    assertThat(router.nodes().get(0).lastNack()).isNotEmpty();

    Files.writeString(file, good);
    applyAndAwaitConverged(intent(0, List.of()));
    assertThat(count(300, new Metadata())).isEqualTo(Map.of("v1", 300));
  }
}
