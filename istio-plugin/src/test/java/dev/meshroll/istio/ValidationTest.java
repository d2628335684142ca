package dev.meshroll.istio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.ValidationProblem;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pre-flight check: every problem of the {@code istio} block and of the objects it names, with
 * its field and exact message. The routing fixtures are those of {@link Fixtures#routing}.
 */
class ValidationTest {
  /** bookinfo/reviews's DestinationRule with subsets v1 and v3. */
  private static final String RULE =
      """
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: bookinfo}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v3, labels: {version: v3}}
      """;

  /** bookinfo/reviews split by Service hosts, its DestinationRule with subsets v1 and v3. */
  private static final String OBJECTS =
      reviews(
          """
          - name: primary
            route:
            - destination: {host: reviews-stable}
              weight: 100
            - destination: {host: reviews-canary}
              weight: 0
          """,
          """
          - match: [{port: 3306}]
            route:
            - destination: {host: reviews-db}
          """);

  /** bookinfo/reviews split by subsets, one of them in no DestinationRule. */
  private static final String SUBSET_ROUTE =
      reviews(
          """
          - name: primary
            route:
            - destination: {host: reviews, subset: v1}
              weight: 90
            - destination: {host: reviews, subset: v3}
              weight: 10
            - destination: {host: reviews, subset: v4}
          """,
          "");

  private static final String HOSTS =
      "services: {stable: reviews-stable, canary: reviews-canary}\n";

  static Stream<Arguments> problems() {
    return Stream.of(
        problem(
            "unknown field",
            HOSTS + "config: {virtualservice: {name: reviews}, virtualService: {name: reviews}}",
            OBJECTS,
            "virtualservice: istio: unknown field 'virtualservice' (expected one of:"
                + " [destinationRule, versions, virtualService, virtualServices])"),
        problem(
            "unknown field of a VirtualService",
            HOSTS + "config: {virtualService: {name: reviews, route: [primary]}}",
            OBJECTS,
            "virtualService.route: istio: unknown field 'route' (expected one of: [name, routes,"
                + " tcpRoutes, tlsRoutes])"),
        problem(
            "unknown field of a version",
            HOSTS
                + "config: {virtualService: {name: reviews}, versions: {canary: {host: reviews-canary,"
                + " port: 80}}}",
            OBJECTS,
            "versions.canary.port: istio: unknown field 'port' (expected one of: [host, labels,"
                + " subset])"),
        problem(
            "both forms of VirtualService",
            HOSTS + "config: {virtualService: {name: reviews}, virtualServices: [{name: reviews}]}",
            OBJECTS,
            "istio: set virtualService or virtualServices, not both"),
        problem(
            "no VirtualService",
            HOSTS + "config: {}",
            OBJECTS,
            "istio: a VirtualService is needed (expected virtualService or virtualServices)"),
        problem(
            "empty list of VirtualServices",
            HOSTS + "config: {virtualServices: []}",
            OBJECTS,
            "virtualServices: istio: expected a non-empty list of VirtualServices"),
        problem(
            "VirtualService not a map",
            HOSTS + "config: {virtualService: reviews}",
            OBJECTS,
            "virtualService: istio: expected a map, got 'reviews'",
            "virtualService.name: istio: name is required"),
        problem(
            "VirtualService named twice",
            HOSTS + "config: {virtualServices: [{name: reviews}, {name: reviews.bookinfo}]}",
            OBJECTS,
            "virtualServices[1].name: istio: VirtualService bookinfo/reviews is configured twice"),
        problem(
            "empty name",
            HOSTS + "config: {virtualService: {name: ''}}",
            OBJECTS,
            "virtualService.name: istio: name must not be empty"),
        problem(
            "route names repeat",
            HOSTS + "config: {virtualService: {name: reviews, routes: [primary, primary]}}",
            OBJECTS,
            "virtualService.routes: istio: routes [primary, primary] repeat a name"),
        problem(
            "routes not a list",
            HOSTS + "config: {virtualService: {name: reviews, routes: primary}}",
            OBJECTS,
            "virtualService.routes: istio: expected a list, got 'primary'"),
        problem(
            "route name not a string",
            HOSTS + "config: {virtualService: {name: reviews, routes: [{name: primary}]}}",
            OBJECTS,
            "virtualService.routes[0]: istio: expected a non-empty string, got a map"),
        problem(
            "TLS route selected by nothing",
            HOSTS + "config: {virtualService: {name: reviews, routes: [primary], tlsRoutes: [{}]}}",
            OBJECTS,
            "virtualService.tlsRoutes[0]: istio: a TLS route is selected by port or sniHosts;"
                + " neither is set"),
        problem(
            "TCP route without port",
            HOSTS + "config: {virtualService: {name: reviews, routes: [primary], tcpRoutes: [{}]}}",
            OBJECTS,
            "virtualService.tcpRoutes[0]: istio: a TCP route is selected by port; none is set"),
        problem(
            "port out of range",
            HOSTS
                + "config: {virtualService: {name: reviews, routes: [primary], tcpRoutes: [{port:"
                + " 70000}]}}",
            OBJECTS,
            "virtualService.tcpRoutes[0].port: istio: expected a port number 1..65535, got"
                + " '70000'"),
        problem(
            "subset names missing",
            "config: {virtualService: {name: reviews}, destinationRule: {name: reviews}}",
            OBJECTS,
            "destinationRule.stableSubsetName: istio: stableSubsetName is required",
            "destinationRule.canarySubsetName: istio: canarySubsetName is required"),
        problem(
            "stable and canary the same subset",
            "config: {virtualService: {name: reviews}, destinationRule: {name: reviews,"
                + " stableSubsetName: v1, canarySubsetName: v1}}",
            OBJECTS,
            "destinationRule.canarySubsetName: istio: stable and canary must be different subsets,"
                + " both are 'v1'"),
        problem(
            "versions names no version of the rollout",
            HOSTS
                + "config: {virtualService: {name: reviews}, versions: {baseline: {host:"
                + " reviews-baseline}}}",
            OBJECTS,
            "versions.baseline: istio: 'baseline' is not a version of this rollout (expected one"
                + " of: [stable, canary])"),
        problem(
            "canary without destination",
            "services: {stable: reviews-stable}\nconfig: {virtualService: {name: reviews}}",
            OBJECTS,
            "versions.canary: istio: version 'canary' has no destination (expected canaryService"
                + " in the strategy, istio.destinationRule or istio.versions.canary)"),
        problem(
            "variant without destination",
            HOSTS + "versions: [baseline]\nconfig: {virtualService: {name: reviews}}",
            OBJECTS,
            "versions.baseline: istio: version 'baseline' has no destination (expected"
                + " istio.versions.baseline with a host or a subset)"),
        problem(
            "version destination with neither host nor subset",
            HOSTS
                + "versions: [baseline]\n"
                + "config: {virtualService: {name: reviews}, versions: {baseline: {}}}",
            OBJECTS,
            "versions.baseline: istio: a version's destination needs a host or a subset"),
        problem(
            "labels without a DestinationRule",
            HOSTS
                + "versions: [baseline]\n"
                + "config: {virtualService: {name: reviews}, versions: {baseline: {subset: b,"
                + " labels: {version: b}}}}",
            OBJECTS,
            "versions.baseline.labels: istio: labels make the plugin write a subset, which needs a"
                + " subset name and istio.destinationRule"),
        problem(
            "labels for the canary's subset",
            "config: {virtualService: {name: reviews}, destinationRule: {name: reviews,"
                + " stableSubsetName: v1, canarySubsetName: v3}, versions: {canary: {subset: v3,"
                + " labels: {version: v3}}}}",
            OBJECTS,
            "versions.canary.labels: istio: labels are for experiment variants; the subsets of"
                + " stable and canary are the DestinationRule's own",
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has no"
                + " destination for version 'stable' (expected subset v1)",
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has no"
                + " destination for version 'canary' (expected subset v3)"),
        problem(
            "two versions, one destination",
            "services: {stable: reviews, canary: reviews}\nconfig: {virtualService: {name:"
                + " reviews}}",
            OBJECTS,
            "versions.canary: istio: versions 'stable' and 'canary' have the same destination"
                + " (host reviews)",
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has no"
                + " destination for version 'stable' (expected host reviews)",
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has no"
                + " destination for version 'canary' (expected host reviews)"),
        problem(
            "managed route named as a split route",
            HOSTS
                + "managedRoutes: [primary]\n"
                + "config: {virtualService: {name: reviews, routes: [primary]}}",
            OBJECTS,
            "istio: managed route 'primary' is also named as a route to split; managed routes need"
                + " names of their own"),
        problem(
            "missing VirtualService",
            HOSTS + "config: {virtualService: {name: ratings}}",
            OBJECTS,
            "virtualService.name: istio: VirtualService bookinfo/ratings does not exist"),
        problem(
            "missing DestinationRule",
            "config: {virtualService: {name: reviews}, destinationRule: {name: ratings,"
                + " stableSubsetName: v1, canarySubsetName: v3}}",
            OBJECTS,
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has no"
                + " destination for version 'stable' (expected subset v1)",
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has no"
                + " destination for version 'canary' (expected subset v3)",
            "destinationRule.name: istio: DestinationRule bookinfo/ratings does not exist"),
        problem(
            "route not there",
            HOSTS + "config: {virtualService: {name: reviews, routes: [main]}}",
            OBJECTS,
            "virtualService.routes[0]: istio: VirtualService bookinfo/reviews has no HTTP route"
                + " 'main' (expected one of: [primary])"),
        problem(
            "no HTTP route to split",
            HOSTS + "config: {virtualService: {name: reviews}}",
            OBJECTS.replace("  http:\n", "  httpRoutes:\n"),
            "virtualService.routes: istio: VirtualService bookinfo/reviews has no HTTP route to"
                + " split"),
        problem(
            "TCP route not there",
            HOSTS
                + "config: {virtualService: {name: reviews, routes: [primary], tcpRoutes: [{port:"
                + " 5432}]}}",
            OBJECTS,
            "virtualService.tcpRoutes[0]: istio: VirtualService bookinfo/reviews has no TCP route"
                + " matching port 5432"),
        problem(
            "TCP route without a version's destination",
            HOSTS + "config: {virtualService: {name: reviews, tcpRoutes: [{port: 3306}]}}",
            OBJECTS,
            "virtualService: istio: VirtualService bookinfo/reviews TCP route tcp[0] has no"
                + " destination for version 'stable' (expected host reviews-stable)",
            "virtualService: istio: VirtualService bookinfo/reviews TCP route tcp[0] has no"
                + " destination for version 'canary' (expected host reviews-canary)"),
        problem(
            "two destinations for one version",
            HOSTS + "config: {virtualService: {name: reviews}}",
            OBJECTS.replace(
                "    - destination: {host: reviews-canary}\n",
                "    - destination: {host: reviews-stable.bookinfo}\n"
                    + "    - destination: {host: reviews-canary}\n"),
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has 2"
                + " destinations for version 'stable' (host reviews-stable); expected one"),
        problem(
            "a destination that fits two versions",
            "versions: [candidate]\n"
                + "config: {virtualService: {name: reviews}, destinationRule: {name: reviews,"
                + " stableSubsetName: v1, canarySubsetName: v3}, versions: {candidate: {host:"
                + " reviews}}}",
            SUBSET_ROUTE.replace("    - destination: {host: reviews, subset: v4}\n", ""),
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has a"
                + " destination (host reviews subset v1) that fits versions [stable, candidate];"
                + " give them destinations that tell them apart",
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has a"
                + " destination (host reviews subset v3) that fits versions [canary, candidate];"
                + " give them destinations that tell them apart",
            "virtualService: istio: VirtualService bookinfo/reviews HTTP route 'primary' has 2"
                + " destinations for version 'candidate' (host reviews); expected one"),
        problem(
            "subsets not in the DestinationRule",
            "versions: [baseline]\n"
                + "config: {virtualService: {name: reviews}, destinationRule: {name: reviews,"
                + " stableSubsetName: v1, canarySubsetName: v2, additionalSubsetNames: [v5]},"
                + " versions: {baseline: {subset: v6}}}",
            SUBSET_ROUTE
                .replace("subset: v3}", "subset: v2}")
                .replace("{host: reviews, subset: v4}", "{host: reviews, subset: v5}"),
            "destinationRule.canarySubsetName: istio: DestinationRule bookinfo/reviews has no subset"
                + " 'v2' (expected one of: [v1, v3])",
            "versions.baseline.subset: istio: DestinationRule bookinfo/reviews has no subset 'v6'"
                + " (expected one of: [v1, v3])",
            "destinationRule.additionalSubsetNames[0]: istio: DestinationRule bookinfo/reviews has"
                + " no subset 'v5' (expected one of: [v1, v3])"),
        problem(
            "a route to an undeclared subset",
            "config: {virtualService: {name: reviews}, destinationRule: {name: reviews,"
                + " stableSubsetName: v1, canarySubsetName: v3}}",
            SUBSET_ROUTE,
            "destinationRule.additionalSubsetNames: istio: VirtualService bookinfo/reviews HTTP"
                + " route 'primary' sends traffic to subset 'v4' of reviews, which is not a"
                + " version's subset nor in additionalSubsetNames"),
        problem(
            "managed routes with only TCP routes split",
            "services: {stable: reviews-db, canary: reviews-db-canary}\n"
                + "managedRoutes: [tester]\n"
                + "config: {virtualService: {name: reviews, tcpRoutes: [{port: 3306}]}}",
            OBJECTS.replace(
                "    - destination: {host: reviews-db}\n",
                "    - destination: {host: reviews-db}\n"
                    + "    - destination: {host: reviews-db-canary}\n"),
            "istio: managedRoutes [tester] need an HTTP route, but no configured VirtualService"
                + " splits one"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void problems(String name, String routingYaml, String objectsYaml, List<String> expected) {
    assertThat(problemsOf(routingYaml, objectsYaml)).containsExactlyElementsOf(expected);
  }

  @Test
  void reportsEveryProblemAtOnce() {
    List<String> problems =
        problemsOf(
            HOSTS
                + "versions: [baseline]\n"
                + "config: {virtualServices: [{name: reviews, routes: [main]}, {name: ratings}],"
                + " destinationRule: {name: details, stableSubsetName: v1, canarySubsetName: v2},"
                + " extra: 1}",
            OBJECTS);
    assertThat(problems)
        .containsExactly(
            "extra: istio: unknown field 'extra' (expected one of: [destinationRule, versions,"
                + " virtualService, virtualServices])",
            "versions.baseline: istio: version 'baseline' has no destination (expected"
                + " istio.versions.baseline with a host or a subset)",
            "virtualServices[0].routes[0]: istio: VirtualService bookinfo/reviews has no HTTP"
                + " route 'main' (expected one of: [primary])",
            "virtualServices[1].name: istio: VirtualService bookinfo/ratings does not exist",
            "destinationRule.name: istio: DestinationRule bookinfo/details does not exist");
  }

  @Test
  void acceptsTheExampleRolloutsBlock() {
    String example =
        """
        services: {stable: reviews-stable, canary: reviews-canary}
        managedRoutes: [tester, shadow]
        versions: [baseline, candidate]
        config:
          virtualService: {name: reviews, routes: [primary]}
          destinationRule: {name: reviews, stableSubsetName: v1, canarySubsetName: v3}
          versions:
            baseline: {subset: baseline, labels: {version: v1}}
            candidate: {subset: candidate, labels: {version: v3}}
        """;
    assertThat(
            problemsOf(
                example,
                SUBSET_ROUTE.replace("    - destination: {host: reviews, subset: v4}\n", "")))
        .isEmpty();
  }

  /** The VirtualService bookinfo/reviews with these HTTP and TCP routes, and {@link #RULE}. */
  private static String reviews(String http, String tcp) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          hosts: [reviews]
          http:
        """
        + http.indent(2)
        + (tcp.isEmpty() ? "" : "  tcp:\n" + tcp.indent(2))
        + RULE;
  }

  private static List<String> problemsOf(String routingYaml, String objectsYaml) {
    RolloutRouting routing = Fixtures.routing(Fixtures.tree(routingYaml));
    List<Map<String, Object>> objects = Fixtures.documents(objectsYaml);
    IstioConfig config = IstioConfig.from(routing, Optional.empty());
    return Rendering.problems(config, routing, objects).stream()
        .map(ValidationProblem::toString)
        .toList();
  }

  private static Arguments problem(
      String name, String routingYaml, String objectsYaml, String... expected) {
    return Arguments.of(name, routingYaml, objectsYaml, List.of(expected));
  }
}
