package dev.meshroll.istio;

import static dev.meshroll.api.StringMatch.exact;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RequestMatch;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.api.Verification;
import io.fabric8.istio.api.api.networking.v1alpha3.HTTPRouteDestination;
import io.fabric8.istio.client.IstioClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router against fabric8's Kubernetes mock API server (CRUD mode) on 127.0.0.1. */
class IstioRouterIT {
  private static final String V1 = "networking.istio.io/v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String REVIEWS =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: reviews
        namespace: bookinfo
        labels: {app: reviews}
      spec:
        hosts: [reviews]
        http:
        - name: primary
          retries: {attempts: 3, perTryTimeout: 2s}
          route:
          - destination: {host: reviews, subset: v1}
            weight: 100
          - destination: {host: reviews, subset: v2}
            weight: 0
      """;

  private static final String REVIEWS_RULE =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: bookinfo}
      spec:
        host: reviews
        trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      """;

  /** The example rollout's istio block, with subsets the plugin writes for its two variants. */
  private static final RolloutRouting ROUTING =
      new RolloutRouting(
          new RolloutRef("bookinfo", "reviews"),
          List.of("stable", "canary", "baseline", "candidate"),
          Map.of(),
          List.of("tester", "shadow"),
          Fixtures.tree(
              """
              virtualService: {name: reviews, routes: [primary]}
              destinationRule: {name: reviews, stableSubsetName: v1, canarySubsetName: v2}
              versions:
                baseline: {subset: baseline, labels: {version: v1, track: baseline}}
                candidate: {subset: candidate, labels: {version: v2, track: candidate}}
              """));

  private static final HeaderRoute TESTER =
      new HeaderRoute("tester", "canary", List.of(new HeaderMatch("x-canary", exact("1"))));
  private static final MirrorRoute SHADOW =
      new MirrorRoute(
          "shadow",
          "canary",
          100,
          List.of(new RequestMatch(Optional.of(exact("GET")), Optional.empty(), Map.of())));

  private MockApi api;
  private IstioRouter router;

  @BeforeEach
  void startServer() {
    api = new MockApi();
    router = new IstioRouter(api.client());
  }

  @AfterEach
  void stopServer() {
    router.stop();
    api.close();
  }

  @Test
  void movesTrafficStepByStepAndReleases() throws RouterException {
    createReviews();

    step(intent(1, weights(100, 0), List.of(), List.of(SHADOW)));
    assertThat(routeNames()).containsExactly("shadow", "primary");
    assertThat(subsets()).containsExactly("v1", "v2", "baseline", "candidate");

    step(intent(2, weights(100, 0), List.of(TESTER), List.of(SHADOW)));
    assertThat(routeNames()).containsExactly("tester", "shadow", "primary");

    step(intent(3, weights(90, 10), List.of(TESTER), List.of(SHADOW)));
    assertThat(split("primary")).containsExactly("v1=90", "v2=10");
    assertThat(split("shadow")).containsExactly("v1=90", "v2=10");

    Map<String, Integer> experiment = weights(80, 10);
    experiment.put("baseline", 5);
    experiment.put("candidate", 5);
    step(intent(4, experiment, List.of(TESTER), List.of(SHADOW)));
    assertThat(split("primary")).containsExactly("v1=80", "v2=10", "baseline=5", "candidate=5");

    step(intent(5, weights(90, 10), List.of(TESTER), List.of(SHADOW)));
    assertThat(split("primary")).containsExactly("v1=90", "v2=10");

    step(intent(6, weights(90, 10), List.of(TESTER), List.of()));
    assertThat(routeNames()).containsExactly("tester", "primary");

    step(intent(7, weights(50, 50), List.of(TESTER), List.of()));
    assertThat(split("primary")).containsExactly("v1=50", "v2=50");

    RouteIntent promoted = intent(8, weights(0, 100), List.of(), List.of());
    step(promoted);
    assertThat(routeNames()).containsExactly("primary");

    router.release(promoted);
    assertThat(routeNames()).containsExactly("primary");
    assertThat(split("primary")).containsExactly("v1=0", "v2=100");
    assertThat(subsets()).containsExactly("v1", "v2");
    api.forget();
    router.release(promoted);
    assertThat(api.writes()).isEmpty();

    // What the plugin wrote reads back as Istio's own typed model.
    List<HTTPRouteDestination> typed =
        api.client()
            .adapt(IstioClient.class)
            .v1()
            .virtualServices()
            .inNamespace("bookinfo")
            .withName("reviews")
            .get()
            .getSpec()
            .getHttp()
            .get(0)
            .getRoute();
    assertThat(typed).extracting(d -> d.getDestination().getSubset()).containsExactly("v1", "v2");
    assertThat(typed).extracting(HTTPRouteDestination::getWeight).containsExactly(0, 100);
  }

  @Test
  void writesANewSubsetBeforeTheRouteThatUsesIt() throws RouterException {
    createReviews();
    Map<String, Integer> experiment = weights(90, 0);
    experiment.put("baseline", 5);
    experiment.put("candidate", 5);
    api.forget();

    router.apply(intent(1, experiment, List.of(), List.of()));

    assertThat(api.writes())
        .extracting(MockApi.Exchange::path)
        .containsExactly(
            MockApi.path(V1, "DestinationRule", "bookinfo", "reviews"),
            MockApi.path(V1, "VirtualService", "bookinfo", "reviews"));
  }

  @Test
  void retriesAConflictAndKeepsTheOtherWritersChange() throws RouterException {
    createReviews();
    String path = MockApi.path(V1, "VirtualService", "bookinfo", "reviews");
    String stale = api.raw(V1, "VirtualService", "bookinfo", "reviews");
    // Another writer changes the object after the router has read it (served the stale copy).
    Map<String, Object> other = api.get(V1, "VirtualService", "bookinfo", "reviews");
    Trees.map(Trees.map(other, "metadata"), "labels").put("owner", "platform-team");
    Trees.maps(Trees.map(other, "spec"), "http").get(0).put("timeout", "3s");
    api.update(other);
    AtomicBoolean served = new AtomicBoolean();
    api.intercept(
        request ->
            request.getMethod().equals("GET")
                    && request.getPath().equals(path)
                    && served.compareAndSet(false, true)
                ? MockApi.json(200, stale)
                : null);
    api.forget();

    router.apply(intent(1, weights(80, 20), List.of(), List.of()));

    assertThat(api.writes())
        .extracting(MockApi.Exchange::toString)
        .filteredOn(exchange -> exchange.contains("virtualservices"))
        .containsExactly("PUT " + path + " -> 409", "PUT " + path + " -> 200");
    Map<String, Object> now = api.get(V1, "VirtualService", "bookinfo", "reviews");
    assertThat(Trees.map(Trees.map(now, "metadata"), "labels"))
        .containsEntry("owner", "platform-team");
    assertThat(Trees.maps(Trees.map(now, "spec"), "http").get(0)).containsEntry("timeout", "3s");
    assertThat(split("primary")).containsExactly("v1=80", "v2=20");
  }

  @Test
  void givesUpAfterABoundedNumberOfConflicts() {
    createReviews();
    String path = MockApi.path(V1, "VirtualService", "bookinfo", "reviews");
    String stale = api.raw(V1, "VirtualService", "bookinfo", "reviews");
    Map<String, Object> bumped = api.get(V1, "VirtualService", "bookinfo", "reviews");
    Trees.map(bumped, "metadata").put("annotations", new LinkedHashMap<>(Map.of("x", "y")));
    api.update(bumped);
    api.intercept(
        request ->
            request.getMethod().equals("GET") && request.getPath().equals(path)
                ? MockApi.json(200, stale)
                : null);
    api.forget();

    assertThatThrownBy(() -> router.apply(intent(1, weights(80, 20), List.of(), List.of())))
        .isInstanceOf(RouterException.class)
        .hasMessage(
            "istio: DestinationRule bookinfo/reviews, VirtualService bookinfo/reviews changed under"
                + " every one of 5 attempts to write (409 Conflict); another writer keeps changing"
                + " them");
    assertThat(api.writes())
        .filteredOn(exchange -> exchange.path().equals(path))
        .hasSize(IstioRouter.ATTEMPTS)
        .allSatisfy(exchange -> assertThat(exchange.code()).isEqualTo(409));
  }

  @Test
  void keepsUnmanagedFieldsByteForByte() throws Exception {
    String dir = "virtualservices/unmanaged-fields-kept/";
    api.create(Fixtures.objects(dir + "given.yaml").get(0));
    RouteIntent intent = Fixtures.intent(Fixtures.tree(Fixtures.text(dir + "intent.yaml")));
    ObjectNode before =
        (ObjectNode) JSON.readTree(api.raw(V1, "VirtualService", "bookinfo", "reviews"));

    router.apply(intent);

    ObjectNode after =
        (ObjectNode) JSON.readTree(api.raw(V1, "VirtualService", "bookinfo", "reviews"));
    // Take away what the plugin owns (the header route, the primary route's weights) and what
    // the server owns (resourceVersion, generation): the rest must be the very same text.
    ArrayNode http = (ArrayNode) after.path("spec").path("http");
    assertThat(http.get(0).path("name").asText()).isEqualTo("tester");
    http.remove(0);
    ArrayNode afterRoute = (ArrayNode) http.get(1).path("route");
    ArrayNode beforeRoute = (ArrayNode) before.path("spec").path("http").get(1).path("route");
    assertThat(afterRoute.get(0).path("weight").asInt()).isEqualTo(70);
    for (int i = 0; i < afterRoute.size(); i++) {
      ((ObjectNode) afterRoute.get(i)).set("weight", beforeRoute.get(i).get("weight"));
    }
    ((ObjectNode) before.path("metadata")).remove(List.of("resourceVersion", "generation"));
    ((ObjectNode) after.path("metadata")).remove(List.of("resourceVersion", "generation"));
    assertThat(after.toString()).isEqualTo(before.toString());
  }

  @Test
  void writesNothingWhenNothingDiffers() throws RouterException {
    createReviews();
    Map<String, Integer> experiment = weights(80, 10);
    experiment.put("baseline", 10);
    RouteIntent intent = intent(3, experiment, List.of(TESTER), List.of(SHADOW));
    api.forget();
    router.apply(intent);
    assertThat(api.writes()).hasSize(2);
    api.forget();

    router.apply(intent);
    router.apply(intent(4, experiment, List.of(TESTER), List.of(SHADOW)));
    assertThat(router.verify(intent).state()).isEqualTo(Verification.State.CONVERGED);

    assertThat(api.exchanges()).isNotEmpty().noneMatch(MockApi.Exchange::write);
  }

  @Test
  void releaseRestoresTheOriginalRoute() throws RouterException {
    createReviews();
    Map<String, Object> original = api.get(V1, "VirtualService", "bookinfo", "reviews");
    Map<String, Object> originalRule = api.get(V1, "DestinationRule", "bookinfo", "reviews");
    Map<String, Integer> experiment = weights(70, 20);
    experiment.put("candidate", 10);
    router.apply(intent(1, experiment, List.of(TESTER), List.of(SHADOW)));
    assertThat(routeNames()).containsExactly("tester", "shadow", "primary");

    RouteIntent aborted = intent(2, weights(100, 0), List.of(), List.of());
    router.release(aborted);
    router.release(aborted);

    assertThat(api.get(V1, "VirtualService", "bookinfo", "reviews").get("spec"))
        .isEqualTo(original.get("spec"));
    assertThat(api.get(V1, "DestinationRule", "bookinfo", "reviews").get("spec"))
        .isEqualTo(originalRule.get("spec"));
  }

  @Test
  void verifyIsPendingWhileTheObjectsDifferFromTheIntent() throws RouterException {
    createReviews();
    RouteIntent intent = intent(2, weights(80, 20), List.of(), List.of());
    assertThat(router.verify(intent))
        .isEqualTo(
            Verification.pending(
                "DestinationRule bookinfo/reviews, VirtualService bookinfo/reviews not yet at"
                    + " generation 2"));

    router.apply(intent);

    assertThat(router.verify(intent)).isEqualTo(Verification.converged());
  }

  @Test
  void validateReportsEveryMissingObjectAtOnce() {
    api.create(Fixtures.tree(REVIEWS));

    List<ValidationProblem> problems =
        router.validate(
            new RolloutRouting(
                ROUTING.rollout(),
                ROUTING.versions(),
                Map.of(),
                ROUTING.managedRoutes(),
                Fixtures.tree(
                    """
                    virtualServices: [{name: reviews, routes: [main]}, {name: ratings}]
                    destinationRule: {name: reviews, stableSubsetName: v1, canarySubsetName: v2}
                    versions:
                      baseline: {subset: baseline, labels: {version: v1}}
                      candidate: {host: reviews-candidate}
                    """)));

    assertThat(problems)
        .extracting(ValidationProblem::toString)
        .containsExactly(
            "virtualServices[0].routes[0]: istio: VirtualService bookinfo/reviews has no HTTP"
                + " route 'main' (expected one of: [primary])",
            "virtualServices[1].name: istio: VirtualService bookinfo/ratings does not exist",
            "destinationRule.name: istio: DestinationRule bookinfo/reviews does not exist");
  }

  @Test
  void refusesAnOlderGeneration() throws RouterException {
    createReviews();
    router.apply(intent(5, weights(50, 50), List.of(), List.of()));
    api.forget();

    assertThatThrownBy(() -> router.apply(intent(4, weights(90, 10), List.of(), List.of())))
        .isInstanceOf(RouterException.class)
        .hasMessage(
            "istio: bookinfo/reviews generation 4 is older than generation 5, which is applied"
                + " already; not going back");
    assertThat(api.exchanges()).isEmpty();
  }

  @Test
  void reportsTheApiServersRefusal() {
    createReviews();
    api.intercept(
        request ->
            request.getMethod().equals("PUT") && request.getPath().contains("/virtualservices/")
                ? MockApi.json(
                    400,
                    """
                    {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 400,
                     "reason": "BadRequest", "message": "admission webhook \\"validation.istio.io\\"\
                     denied the request: configuration is invalid: weight 120 > 100"}
                    """)
                : null);

    assertThatThrownBy(() -> router.apply(intent(1, weights(80, 20), List.of(), List.of())))
        .isInstanceOf(RouterException.class)
        .hasMessage(
            "istio: cannot write VirtualService bookinfo/reviews: admission webhook"
                + " \"validation.istio.io\" denied the request: configuration is invalid: weight"
                + " 120 > 100 (HTTP 400)");
  }

  @Test
  void reportsAReadFailure() {
    api.intercept(
        request ->
            MockApi.json(
                403,
                """
                {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 403,
                 "reason": "Forbidden", "message": "destinationrules.networking.istio.io\
                 \\"reviews\\" is forbidden: User \\"meshroll\\" cannot get resource"}
                """));

    assertThatThrownBy(() -> router.apply(intent(1, weights(80, 20), List.of(), List.of())))
        .isInstanceOf(RouterException.class)
        .hasMessage(
            "istio: cannot read DestinationRule bookinfo/reviews:"
                + " destinationrules.networking.istio.io \"reviews\" is forbidden: User"
                + " \"meshroll\" cannot get resource (HTTP 403)");
  }

  @Test
  void connectsByKubeconfigContextAndApiVersion(@TempDir Path config) throws Exception {
    api.create(Fixtures.tree(REVIEWS.replace(V1, "networking.istio.io/v1beta1")));
    api.create(Fixtures.tree(REVIEWS_RULE.replace(V1, "networking.istio.io/v1beta1")));
    writeKubeconfig(config.resolve("kube/config"));
    IstioRouter started = new IstioRouter();
    started.start(
        Map.of("kubeconfig", "kube/config", "context", "mock", "apiVersion", "v1beta1"), config);
    try {
      started.apply(intent(1, weights(70, 30), List.of(), List.of()));
    } finally {
      started.stop();
    }
    Map<String, Object> vs =
        api.get("networking.istio.io/v1beta1", "VirtualService", "bookinfo", "reviews");
    assertThat(Trees.maps(Trees.maps(Trees.map(vs, "spec"), "http").get(0), "route"))
        .extracting(entry -> entry.get("weight"))
        .containsExactly(70, 30);
  }

  @Test
  void placesNamesWithoutNamespaceInTheNamespaceSetting(@TempDir Path config) throws Exception {
    api.create(Fixtures.tree(REVIEWS.replace("namespace: bookinfo", "namespace: mesh")));
    api.create(Fixtures.tree(REVIEWS_RULE.replace("namespace: bookinfo", "namespace: mesh")));
    router.start(Map.of("namespace", "mesh"), config);

    router.apply(intent(1, weights(60, 40), List.of(), List.of()));

    Map<String, Object> vs = api.get(V1, "VirtualService", "mesh", "reviews");
    assertThat(Trees.maps(Trees.maps(Trees.map(vs, "spec"), "http").get(0), "route"))
        .extracting(entry -> entry.get("weight"))
        .containsExactly(60, 40);
  }

  @Test
  void refusesBadSettings(@TempDir Path config) throws IOException {
    writeKubeconfig(config.resolve("kubeconfig"));

    assertThatThrownBy(
            () ->
                new IstioRouter()
                    .start(Map.of("kubeconfig", "kubeconfig", "context", "nope"), config))
        .hasMessage(
            "istio: context 'nope' is not in the kubeconfig (expected one of: [mock, other])");
    assertThatThrownBy(() -> new IstioRouter().start(Map.of("kubeconfig", "missing"), config))
        .hasMessage("istio: kubeconfig " + config.resolve("missing") + " does not exist");
    assertThatThrownBy(() -> new IstioRouter().start(Map.of("kubeConfig", "kubeconfig"), config))
        .hasMessage(
            "istio: unknown setting 'kubeConfig' (expected one of: [apiVersion, context,"
                + " kubeconfig, namespace])");
    assertThatThrownBy(() -> new IstioRouter().start(Map.of("apiVersion", "v2"), config))
        .hasMessage(
            "istio: setting apiVersion 'v2' is not a networking.istio.io version (expected one of:"
                + " [v1, v1beta1, v1alpha3])");
  }

  @Test
  void saysSoWhenNotStarted() {
    IstioRouter idle = new IstioRouter();
    assertThat(idle.validate(ROUTING))
        .extracting(ValidationProblem::message)
        .containsExactly("istio: the router is not connected to a cluster");
    assertThatThrownBy(() -> idle.apply(intent(1, weights(100, 0), List.of(), List.of())))
        .hasMessage("istio: the router is not connected to a cluster (not started)");
  }

  /** A kubeconfig whose current context points nowhere: only the named one reaches the server. */
  private void writeKubeconfig(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "http://127.0.0.1:%d"}
        - name: other
          cluster: {server: "http://127.0.0.1:1"}
        users:
        - name: tester
          user: {token: secret}
        contexts:
        - name: mock
          context: {cluster: mock, user: tester, namespace: bookinfo}
        - name: other
          context: {cluster: other, user: tester}
        current-context: other
        """
            .formatted(api.port()));
  }

  private void createReviews() {
    api.create(Fixtures.tree(REVIEWS));
    api.create(Fixtures.tree(REVIEWS_RULE));
  }

  private void step(RouteIntent intent) throws RouterException {
    router.apply(intent);
    assertThat(router.verify(intent))
        .as("generation %d", intent.generation())
        .isEqualTo(Verification.converged());
  }

  private static RouteIntent intent(
      long generation,
      Map<String, Integer> weights,
      List<HeaderRoute> headerRoutes,
      List<MirrorRoute> mirrorRoutes) {
    return new RouteIntent(ROUTING, generation, weights, headerRoutes, mirrorRoutes);
  }

  private static Map<String, Integer> weights(int stable, int canary) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("stable", stable);
    weights.put("canary", canary);
    return weights;
  }

  private List<Map<String, Object>> http() {
    return Trees.maps(
        Trees.map(api.get(V1, "VirtualService", "bookinfo", "reviews"), "spec"), "http");
  }

  private List<String> routeNames() {
    return http().stream().map(VirtualServices::name).toList();
  }

  /** {@code subset=weight} for each destination of the named route. */
  private List<String> split(String route) {
    List<String> split = new ArrayList<>();
    http().stream()
        .filter(r -> route.equals(VirtualServices.name(r)))
        .flatMap(r -> Trees.maps(r, "route").stream())
        .forEach(
            entry ->
                split.add(
                    Trees.map(entry, "destination").get("subset") + "=" + entry.get("weight")));
    return split;
  }

  private List<String> subsets() {
    return Trees.maps(
            Trees.map(api.get(V1, "DestinationRule", "bookinfo", "reviews"), "spec"), "subsets")
        .stream()
        .map(subset -> String.valueOf(subset.get("name")))
        .toList();
  }
}
