package dev.meshroll.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.StringMatch;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.api.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router against fabric8's Kubernetes mock API server in CRUD mode on 127.0.0.1: a rollout's
 * intents in the order the host sends them, conflicts, adoption, discovery, validation, release.
 */
class SmiRouterTest {
  private static final String V3 = "split.smi-spec.io/v1alpha3";
  private static final String SPECS_V3 = "specs.smi-spec.io/v1alpha3";
  private static final String SPLIT = ApiServer.path(V3, "TrafficSplit", "shop", "cart");
  private static final String ROUTE_SPLIT =
      ApiServer.path(V3, "TrafficSplit", "shop", "cart-tester");
  private static final String ROUTE_GROUP =
      ApiServer.path(SPECS_V3, "HTTPRouteGroup", "shop", "cart-tester");
  private static final HeaderRoute TESTER =
      new HeaderRoute(
          "tester", "canary", List.of(new HeaderMatch("x-canary", StringMatch.exact("1"))));

  private ApiServer api;
  private SmiRouter router;

  @BeforeEach
  void startServer() throws RouterException {
    api = new ApiServer();
    api.serves("split.smi-spec.io", "v1alpha3", "v1alpha2", "v1alpha1");
    api.serves("specs.smi-spec.io", "v1alpha3", "v1alpha2", "v1alpha1");
    for (String service : List.of("cart", "cart-stable", "cart-canary")) {
      api.service("shop", service);
    }
    router = new SmiRouter(api.client());
    router.start(Map.of(), Path.of("."));
  }

  @AfterEach
  void stopServer() {
    router.stop();
    api.close();
  }

  @Test
  void followsARolloutStepByStep() throws RouterException {
    RolloutRouting routing = routing(Map.of());
    assertThat(router.validate(routing)).isEmpty();
    List<String> steps = new ArrayList<>();

    steps.add(step(intent(routing, 1, 100, 0, List.of())));
    assertThat(backends()).containsExactly("cart-stable=100", "cart-canary=0");
    steps.add(step(intent(routing, 2, 90, 10, List.of())));
    assertThat(backends()).containsExactly("cart-stable=90", "cart-canary=10");
    steps.add(step(intent(routing, 3, 90, 10, List.of(TESTER))));
    assertThat(api.get(SPECS_V3, "HTTPRouteGroup", "shop", "cart-tester").get("spec"))
        .isEqualTo(
            Map.of(
                "matches",
                List.of(Map.of("name", "tester-1", "headers", Map.of("x-canary", "^1$")))));
    assertThat(api.get(V3, "TrafficSplit", "shop", "cart-tester").get("spec"))
        .isEqualTo(
            Map.of(
                "service", "cart",
                "matches", List.of(Map.of("kind", "HTTPRouteGroup", "name", "cart-tester")),
                "backends", List.of(Map.of("service", "cart-canary", "weight", 100))));
    steps.add(step(intent(routing, 4, 50, 50, List.of(TESTER))));
    steps.add(step(intent(routing, 5, 50, 50, List.of())));
    assertThat(api.get(V3, "TrafficSplit", "shop", "cart-tester")).isNull();
    assertThat(api.get(SPECS_V3, "HTTPRouteGroup", "shop", "cart-tester")).isNull();
    steps.add(step(intent(routing, 6, 0, 100, List.of())));
    api.forget();
    router.release(intent(routing, 6, 0, 100, List.of()));
    steps.add(String.join(", ", api.writes()));

    assertThat(steps)
        .containsExactly(
            "POST " + SPLIT.replace("/cart", "") + " -> 201",
            "PUT " + SPLIT + " -> 200",
            "POST "
                + ROUTE_GROUP.replace("/cart-tester", "")
                + " -> 201, POST "
                + ROUTE_SPLIT.replace("/cart-tester", "")
                + " -> 201",
            "PUT " + SPLIT + " -> 200",
            "DELETE " + ROUTE_SPLIT + " -> 200, DELETE " + ROUTE_GROUP + " -> 200",
            "PUT " + SPLIT + " -> 200",
            "");
    Map<String, Object> split = api.get(V3, "TrafficSplit", "shop", "cart");
    assertThat(backends()).containsExactly("cart-stable=0", "cart-canary=100");
    assertThat(Trees.at(split, "metadata", "labels"))
        .isEqualTo(Map.of("app.kubernetes.io/managed-by", "meshroll"));
    assertThat(Trees.at(split, "metadata", "annotations"))
        .isEqualTo(Map.of("meshroll.dev/rollout", "shop/cart"));
  }

  @Test
  void releaseAfterAnAbortLeavesAllTrafficOnStable() throws RouterException {
    RolloutRouting routing = routing(Map.of());
    router.apply(intent(routing, 1, 60, 40, List.of(TESTER)));

    router.release(intent(routing, 2, 100, 0, List.of()));

    assertThat(backends()).containsExactly("cart-stable=100", "cart-canary=0");
    assertThat(api.get(V3, "TrafficSplit", "shop", "cart-tester")).isNull();
    assertThat(api.get(SPECS_V3, "HTTPRouteGroup", "shop", "cart-tester")).isNull();
  }

  @Test
  void reapplyingWhatIsServedWritesNothing() throws RouterException {
    RolloutRouting routing = routing(Map.of());
    RouteIntent intent = intent(routing, 1, 80, 20, List.of(TESTER));
    router.apply(intent);
    api.forget();

    router.apply(intent);
    assertThat(router.verify(intent)).isEqualTo(Verification.converged());

    assertThat(api.exchanges()).isNotEmpty().noneMatch(ApiServer.Exchange::write);
  }

  @Test
  void retriesAConflictAndKeepsTheOtherWritersChange() throws RouterException {
    RolloutRouting routing = routing(Map.of());
    router.apply(intent(routing, 1, 100, 0, List.of()));
    labelBehindTheRoutersBack(1);

    router.apply(intent(routing, 2, 90, 10, List.of()));

    assertThat(api.writes())
        .containsExactly("PUT " + SPLIT + " -> 409", "PUT " + SPLIT + " -> 200");
    assertThat(Trees.at(api.get(V3, "TrafficSplit", "shop", "cart"), "metadata", "labels"))
        .isEqualTo(Map.of("app.kubernetes.io/managed-by", "meshroll", "team", "payments"));
    assertThat(backends()).containsExactly("cart-stable=90", "cart-canary=10");
  }

  @Test
  void givesUpAfterABoundedNumberOfConflicts() throws RouterException {
    RolloutRouting routing = routing(Map.of());
    router.apply(intent(routing, 1, 100, 0, List.of()));
    labelBehindTheRoutersBack(Integer.MAX_VALUE);

    assertThatThrownBy(() -> router.apply(intent(routing, 2, 90, 10, List.of())))
        .isInstanceOf(RouterException.class)
        .hasMessage(
            "smi: TrafficSplit shop/cart, TrafficSplit shop/cart-tester, HTTPRouteGroup"
                + " shop/cart-tester changed under every one of 5 attempts to write (409"
                + " Conflict); another writer keeps changing them");
    assertThat(api.writes()).hasSize(SmiRouter.ATTEMPTS).allMatch(write -> write.endsWith("409"));
    assertThat(backends()).containsExactly("cart-stable=100", "cart-canary=0");
  }

  @Test
  void refusesToTakeOverATrafficSplitItDidNotCreate() throws RouterException {
    api.create(unmanagedSplit());
    api.forget();

    assertThat(router.validate(routing(Map.of())))
        .extracting(ValidationProblem::toString)
        .containsExactly(
            "smi: TrafficSplit shop/cart exists and was not created by Meshroll (set adopt: true"
                + " to take it over)");
    assertThatThrownBy(() -> router.apply(intent(routing(Map.of()), 1, 90, 10, List.of())))
        .isInstanceOf(RouterException.class)
        .hasMessage(
            "smi: TrafficSplit shop/cart exists and was not created by Meshroll (set adopt: true"
                + " to take it over)");
    assertThat(api.writes()).isEmpty();
    assertThat(backends()).containsExactly("cart-v1=1");
  }

  @Test
  void takesOverATrafficSplitWhenToldTo() throws RouterException {
    api.create(unmanagedSplit());
    RolloutRouting routing = routing(Map.of("adopt", true));

    assertThat(router.validate(routing)).isEmpty();
    router.apply(intent(routing, 1, 90, 10, List.of()));

    Map<String, Object> split = api.get(V3, "TrafficSplit", "shop", "cart");
    assertThat(Trees.at(split, "metadata", "labels"))
        .isEqualTo(Map.of("team", "payments", "app.kubernetes.io/managed-by", "meshroll"));
    assertThat(backends()).containsExactly("cart-stable=90", "cart-canary=10");
  }

  @Test
  void usesTheNewestVersionTheApiServerServes() throws RouterException {
    try (ApiServer old = new ApiServer();
        ApiServer recent = new ApiServer()) {
      old.serves("split.smi-spec.io", "v1alpha1", "v1alpha2");
      recent.serves("split.smi-spec.io", "v1alpha3", "v1alpha4", "v1alpha1");
      RolloutRouting routing = routing(Map.of());

      new SmiRouter(old.client()).apply(intent(routing, 1, 90, 10, List.of()));
      SmiRouter onRecent = new SmiRouter(recent.client());
      onRecent.apply(intent(routing, 1, 90, 10, List.of()));
      onRecent.apply(intent(routing, 2, 80, 20, List.of()));

      assertThat(old.get("split.smi-spec.io/v1alpha2", "TrafficSplit", "shop", "cart"))
          .extracting(split -> Trees.at(split, "spec", "backends"))
          .isEqualTo(
              List.of(
                  Map.of("service", "cart-stable", "weight", 90),
                  Map.of("service", "cart-canary", "weight", 10)));
      assertThat(recent.get("split.smi-spec.io/v1alpha4", "TrafficSplit", "shop", "cart"))
          .isNotNull();
      assertThat(onRecent.render(intent(routing, 3, 70, 30, List.of()), List.of()))
          .extracting(object -> object.get("apiVersion"))
          .containsExactly("split.smi-spec.io/v1alpha4");
      assertThat(recent.exchanges())
          .filteredOn(exchange -> exchange.path().equals("/apis/split.smi-spec.io"))
          .hasSize(1);
    }
  }

  @Test
  void writesQuantitiesWhereOnlyV1alpha1IsServed() throws RouterException {
    try (ApiServer old = new ApiServer()) {
      old.serves("split.smi-spec.io", "v1alpha1");

      new SmiRouter(old.client()).apply(intent(routing(Map.of()), 1, 90, 10, List.of()));

      assertThat(old.get("split.smi-spec.io/v1alpha1", "TrafficSplit", "shop", "cart"))
          .extracting(split -> Trees.at(split, "spec", "backends"))
          .isEqualTo(
              List.of(
                  Map.of("service", "cart-stable", "weight", "90"),
                  Map.of("service", "cart-canary", "weight", "10")));
    }
  }

  @Test
  void saysWhenTheApiServerServesNoSmi() {
    try (ApiServer bare = new ApiServer()) {
      for (String service : List.of("cart", "cart-stable", "cart-canary")) {
        bare.service("shop", service);
      }
      // As a real API server answers for a group it does not serve (the CRUD store says 200).
      bare.answer(
          request ->
              request.getPath().startsWith("/apis/split.smi-spec.io")
                  ? ApiServer.json(
                      404,
                      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                          + "\"reason\":\"NotFound\",\"code\":404}")
                  : null);
      bare.forget();
      SmiRouter onBare = new SmiRouter(bare.client());

      assertThat(onBare.validate(routing(Map.of())))
          .extracting(ValidationProblem::toString)
          .containsExactly(
              "smi: the API server serves no split.smi-spec.io version (is an SMI implementation"
                  + " installed?)");
      assertThatThrownBy(() -> onBare.apply(intent(routing(Map.of()), 1, 100, 0, List.of())))
          .hasMessage(
              "smi: the API server serves no split.smi-spec.io version (is an SMI implementation"
                  + " installed?)");
      assertThat(bare.writes()).isEmpty();
      assertThat(bare.exchanges())
          .filteredOn(exchange -> exchange.path().equals("/apis/split.smi-spec.io"))
          .extracting(ApiServer.Exchange::code)
          .containsExactly(404, 404); // an answer without SMI is not kept: it may be installed next
    }
  }

  @Test
  void validationNamesEveryProblemAtOnce() {
    RolloutRouting routing =
        new RolloutRouting(
            new RolloutRef("shop", "cart"),
            List.of("stable", "canary", "baseline"),
            Map.of("stable", "cart-stable", "canary", "cart-v2"),
            List.of("tester"),
            Map.of(
                "rootService", "cart-root",
                "apiVersion", "v1alpha4",
                "variantServices", Map.of("baseline", "cart-baseline")));

    assertThat(router.validate(routing))
        .extracting(ValidationProblem::toString)
        .containsExactly(
            "apiVersion: smi: the API server does not serve split.smi-spec.io/v1alpha4 (it serves:"
                + " [v1alpha3, v1alpha2, v1alpha1])",
            "smi: managed routes need HTTPRouteGroups of specs.smi-spec.io/v1alpha4, which the API"
                + " server does not serve (it serves: [v1alpha3, v1alpha2, v1alpha1])",
            "smi: Service shop/cart-v2 does not exist (canaryService)",
            "variantServices.baseline: smi: Service shop/cart-baseline does not exist"
                + " (variantServices.baseline)",
            "rootService: smi: Service shop/cart-root does not exist (rootService)");
  }

  @Test
  void verifyReportsWhatAnotherWriterChanged() throws RouterException {
    RolloutRouting routing = routing(Map.of());
    RouteIntent intent = intent(routing, 2, 90, 10, List.of());
    router.apply(intent);
    assertThat(router.verify(intent)).isEqualTo(Verification.converged());
    Map<String, Object> other = api.get(V3, "TrafficSplit", "shop", "cart");
    Trees.child(other, "spec")
        .put(
            "backends",
            List.of(
                Map.of("service", "cart-stable", "weight", 100),
                Map.of("service", "cart-canary", "weight", 0)));
    api.update(other);
    api.forget();

    assertThat(router.verify(intent))
        .isEqualTo(
            Verification.failed(
                "smi: the cluster no longer serves generation 2: TrafficSplit shop/cart has"
                    + " backends [cart-stable=100, cart-canary=0] (expected [cart-stable=90,"
                    + " cart-canary=10])"));
    assertThat(api.writes()).isEmpty();
  }

  @Test
  void releaseDeletesEverythingWhenConfiguredSo() throws RouterException {
    RolloutRouting routing = routing(Map.of("onRelease", "delete"));
    router.apply(intent(routing, 1, 50, 50, List.of(TESTER)));

    router.release(intent(routing, 2, 0, 100, List.of()));
    api.forget();
    router.release(intent(routing, 2, 0, 100, List.of()));

    assertThat(api.get(V3, "TrafficSplit", "shop", "cart")).isNull();
    assertThat(api.get(V3, "TrafficSplit", "shop", "cart-tester")).isNull();
    assertThat(api.get(SPECS_V3, "HTTPRouteGroup", "shop", "cart-tester")).isNull();
    assertThat(api.writes()).isEmpty();
  }

  @Test
  void refusesToGoBackToAnOlderGeneration() throws RouterException {
    RolloutRouting routing = routing(Map.of());
    router.apply(intent(routing, 5, 50, 50, List.of()));

    assertThatThrownBy(() -> router.apply(intent(routing, 4, 90, 10, List.of())))
        .hasMessage(
            "smi: shop/cart generation 4 is older than generation 5, which is applied already;"
                + " not going back");
    assertThat(backends()).containsExactly("cart-stable=50", "cart-canary=50");
  }

  @Test
  void writesNothingOnceInterrupted() throws RouterException {
    RolloutRouting routing = routing(Map.of());
    router.apply(intent(routing, 1, 100, 0, List.of()));
    api.forget();

    Thread.currentThread().interrupt(); // as the host does to a call past its timeout
    try {
      assertThatThrownBy(() -> router.apply(intent(routing, 2, 90, 10, List.of())))
          .isInstanceOf(RouterException.class)
          .hasMessageContaining("interrupted");
    } finally {
      Thread.interrupted();
    }

    assertThat(api.writes()).isEmpty();
    assertThat(backends()).containsExactly("cart-stable=100", "cart-canary=0");
  }

  @Test
  void connectsByTheKubeconfigOfItsSettings(@TempDir Path folder)
      throws IOException, RouterException {
    Files.writeString(folder.resolve("kubeconfig.yaml"), api.kubeconfig());
    SmiRouter started = new SmiRouter();
    started.start(
        Map.of("kubeconfig", "kubeconfig.yaml", "context", "mock", "namespace", "payments"),
        folder);
    try {
      started.apply(intent(routing(Map.of()), 1, 90, 10, List.of()));
    } finally {
      started.stop();
    }

    assertThat(api.get(V3, "TrafficSplit", "payments", "cart")).isNotNull();
  }

  @Test
  void refusesSettingsItCannotUse(@TempDir Path folder) throws IOException {
    Files.writeString(folder.resolve("kubeconfig.yaml"), api.kubeconfig());

    assertThatThrownBy(
            () ->
                new SmiRouter()
                    .start(Map.of("kubeconfig", "kubeconfig.yaml", "context", "prod"), folder))
        .hasMessage("smi: context 'prod' is not in the kubeconfig (expected one of: [mock])");
    assertThatThrownBy(() -> new SmiRouter().start(Map.of("kubeconfig", "missing.yaml"), folder))
        .hasMessage("smi: kubeconfig " + folder.resolve("missing.yaml") + " does not exist");
    assertThatThrownBy(() -> new SmiRouter().start(Map.of("server", "x"), folder))
        .hasMessage(
            "smi: unknown setting 'server' (expected one of: [context, kubeconfig, namespace])");
  }

  /**
   * Another writer labels the split just after the router has read it: the router's next {@code
   * staleReads} reads of the split are served the copy from before that change.
   */
  private void labelBehindTheRoutersBack(int staleReads) {
    String stale = api.raw(SPLIT);
    Map<String, Object> other = api.get(V3, "TrafficSplit", "shop", "cart");
    Trees.child(Trees.child(other, "metadata"), "labels").put("team", "payments");
    api.update(other);
    AtomicInteger left = new AtomicInteger(staleReads);
    api.answer(
        request ->
            request.getMethod().equals("GET")
                    && request.getPath().equals(SPLIT)
                    && left.getAndDecrement() > 0
                ? ApiServer.json(200, stale)
                : null);
    api.forget();
  }

  /** Applies, checks the router sees it served, and returns the writes it took. */
  private String step(RouteIntent intent) throws RouterException {
    api.forget();
    router.apply(intent);
    String writes = String.join(", ", api.writes());
    assertThat(router.verify(intent)).isEqualTo(Verification.converged());
    return writes;
  }

  private List<String> backends() {
    Map<String, Object> split = api.get(V3, "TrafficSplit", "shop", "cart");
    List<String> backends = new ArrayList<>();
    for (Object backend : (List<?>) Trees.at(split, "spec", "backends")) {
      Map<?, ?> map = (Map<?, ?>) backend;
      backends.add(map.get("service") + "=" + map.get("weight"));
    }
    return backends;
  }

  private static Map<String, Object> unmanagedSplit() {
    return Fixtures.tree(
        """
        apiVersion: split.smi-spec.io/v1alpha3
        kind: TrafficSplit
        metadata: {name: cart, namespace: shop, labels: {team: payments}}
        spec:
          service: cart
          backends: [{service: cart-v1, weight: 1}]
        """);
  }

  private static RolloutRouting routing(Map<String, Object> extra) {
    Map<String, Object> config = new LinkedHashMap<>(Map.of("rootService", "cart"));
    config.putAll(extra);
    return new RolloutRouting(
        new RolloutRef("shop", "cart"),
        List.of("stable", "canary"),
        Map.of("stable", "cart-stable", "canary", "cart-canary"),
        List.of("tester"),
        config);
  }

  private static RouteIntent intent(
      RolloutRouting routing, long generation, int stable, int canary, List<HeaderRoute> headers) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("stable", stable);
    weights.put("canary", canary);
    return new RouteIntent(routing, generation, weights, headers, List.of());
  }
}
