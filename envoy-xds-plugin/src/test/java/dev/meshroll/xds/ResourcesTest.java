package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Base resource files: what is read, and every way a bad file is refused. */
class ResourcesTest {
  private static final String CLUSTER =
      """
      - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
        name: %s
        connect_timeout: 1s
      """;

  private static Resources.Result load(Path folder, String file, String yaml) throws IOException {
    Files.writeString(folder.resolve(file), yaml);
    return Resources.load(folder);
  }

  @Test
  void readsTheBaseOfTheTests() {
    Resources.Result result = Resources.load(Path.of("src/test/resources/base"));
    assertThat(result.problems()).isEmpty();
    assertThat(result.resources().listeners()).containsOnlyKeys("reviews");
    assertThat(result.resources().routes()).containsOnlyKeys("ingress");
    assertThat(result.resources().clusters())
        .containsOnlyKeys("reviews-v1", "reviews-v2", "reviews-v3");
    assertThat(result.resources().endpoints())
        .containsOnlyKeys("reviews-v1", "reviews-v2", "reviews-v3");
  }

  @Test
  void aRouteToAnUndefinedClusterIsRefused(@TempDir Path folder) throws IOException {
    Resources.Result result =
        load(
            folder,
            "routes.yaml",
            """
            resources:
            - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
              name: ingress
              virtual_hosts:
              - name: web
                domains: ["*"]
                routes: [{name: all, match: {prefix: /}, route: {cluster: web-v2}}]
            """);
    assertThat(result.valid()).isFalse();
    assertThat(result.problems())
        .containsExactly(
            "RouteConfiguration 'ingress' virtual host 'web' route 'all': cluster 'web-v2' is not defined (clusters: [])");
  }

  @Test
  void duplicatesUnknownTypesBadFieldsAndOtherShapesAreAllReported(@TempDir Path folder)
      throws IOException {
    Files.writeString(folder.resolve("a.yaml"), "resources:\n" + CLUSTER.formatted("web"));
    Files.writeString(
        folder.resolve("b.yaml"),
        "resources:\n"
            + CLUSTER.formatted("web")
            + """
            - "@type": type.googleapis.com/envoy.config.core.v3.Node
              id: x
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: api
              lb_polcy: ROUND_ROBIN
            """);
    Files.writeString(folder.resolve("c.json"), "[1, 2]");
    Files.writeString(folder.resolve("notes.txt"), "ignored");

    Resources.Result result = Resources.load(folder);
    assertThat(result.problems())
        .containsExactly(
            "b.yaml: resources[0]: Cluster 'web' is defined twice (also at a.yaml: resources[0])",
            "b.yaml: resources[1]: 'type.googleapis.com/envoy.config.core.v3.Node' is not a resource type this server"
                + " serves (expected Listener, RouteConfiguration, Cluster or ClusterLoadAssignment)",
            "b.yaml: resources[2]: Cannot find field: lb_polcy in message envoy.config.cluster.v3.Cluster",
            "c.json: expected a mapping with a 'resources' list, as Envoy reads from a path");
    assertThat(result.resources()).isEqualTo(ResourceSet.EMPTY);
  }

  @Test
  void aListenerNamingAMissingRouteConfigurationIsRefused(@TempDir Path folder) throws IOException {
    String listener = Files.readString(Path.of("src/test/resources/base/grpc.yaml"));
    String withoutRoutes =
        listener.substring(
            0, listener.indexOf("- \"@type\": type.googleapis.com/envoy.config.route.v3"));
    Resources.Result result = load(folder, "l.yaml", withoutRoutes);
    assertThat(result.problems())
        .containsExactly(
            "Listener 'reviews': RouteConfiguration 'ingress' is not defined (route configurations: [])");
  }

  @Test
  void aHeaderRegexThatRe2RefusesIsNamedWithFileResourceAndField(@TempDir Path folder)
      throws IOException {
    Resources.Result result =
        load(
            folder,
            "routes.yaml",
            "resources:\n"
                + CLUSTER.formatted("web")
                + """
                - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
                  name: ingress
                  virtual_hosts:
                  - name: web
                    domains: ["*"]
                    routes:
                    - {name: all, match: {prefix: /}, route: {cluster: web}}
                    - name: tester
                      match:
                        prefix: /
                        headers: [{name: x-canary, string_match: {safe_regex: {regex: "(?=x)"}}}]
                      route: {cluster: web}
                """);
    assertThat(result.problems())
        .containsExactly(
            "routes.yaml: resources[1]: RouteConfiguration 'ingress':"
                + " virtual_hosts[0].routes[1].match.headers[0].string_match.safe_regex.regex:"
                + " '(?=x)' is not valid RE2: invalid or unsupported Perl syntax: `(?=`");
    assertThat(result.resources()).isEqualTo(ResourceSet.EMPTY);
  }

  @Test
  void re2SyntaxThatJavaRefusesIsAccepted(@TempDir Path folder) throws IOException {
    Resources.Result result =
        load(
            folder,
            "routes.yaml",
            "resources:\n"
                + CLUSTER.formatted("web")
                + """
                - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
                  name: ingress
                  virtual_hosts:
                  - name: web
                    domains: ["*"]
                    routes:
                    - name: versioned
                      match: {safe_regex: {regex: "/(?P<v>v[0-9]+)/.*"}}
                      route: {cluster: web}
                """);
    assertThat(result.problems()).isEmpty();
    assertThat(result.resources().routes()).containsOnlyKeys("ingress");
  }

  @Test
  void regexesAreFoundWhereverTheApiPutsThem(@TempDir Path folder) throws IOException {
    // A query parameter, a hash policy, a rewrite, and a route inlined in a listener's HTTP
    // connection manager (inside an Any): no list of paths, a walk over every field set.
    Resources.Result result =
        load(
            folder,
            "mesh.yaml",
            "resources:\n"
                + CLUSTER.formatted("web")
                + """
                - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
                  name: ingress
                  virtual_hosts:
                  - name: web
                    domains: ["*"]
                    routes:
                    - name: rewritten
                      match:
                        prefix: /
                        query_parameters: [{name: v, string_match: {safe_regex: {regex: "a**"}}}]
                      route:
                        cluster: web
                        regex_rewrite: {pattern: {regex: "^/(a)\\\\1"}, substitution: /}
                        hash_policy: [{header: {header_name: x-user, regex_rewrite: {pattern: {regex: "(?<=u)x"}, substitution: y}}}]
                - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
                  name: edge
                  filter_chains:
                  - filters:
                    - name: envoy.filters.network.http_connection_manager
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        stat_prefix: edge
                        route_config:
                          virtual_hosts:
                          - name: all
                            domains: ["*"]
                            routes: [{match: {safe_regex: {regex: "/x{2,1}"}}, route: {cluster: web}}]
                """);
    assertThat(result.problems())
        .containsExactly(
            "mesh.yaml: resources[1]: RouteConfiguration 'ingress': virtual_hosts[0].routes[0]"
                + ".match.query_parameters[0].string_match.safe_regex.regex: 'a**' is not valid"
                + " RE2: invalid nested repetition operator: `**`",
            "mesh.yaml: resources[1]: RouteConfiguration 'ingress': virtual_hosts[0].routes[0]"
                + ".route.hash_policy[0].header.regex_rewrite.pattern.regex: '(?<=u)x' is not"
                + " valid RE2: invalid named capture: `(?<=u)x`",
            "mesh.yaml: resources[1]: RouteConfiguration 'ingress': virtual_hosts[0].routes[0]"
                + ".route.regex_rewrite.pattern.regex: '^/(a)\\1' is not valid RE2: invalid"
                + " escape sequence: `\\1`",
            "mesh.yaml: resources[2]: Listener 'edge': filter_chains[0].filters[0].typed_config"
                + ".route_config.virtual_hosts[0].routes[0].match.safe_regex.regex: '/x{2,1}' is"
                + " not valid RE2: invalid repeat count: `{2,1}`");
  }

  @Test
  void notYamlIsNamedWithItsFile(@TempDir Path folder) throws IOException {
    Resources.Result result = load(folder, "broken.yaml", "resources: [unclosed");
    assertThat(result.problems()).hasSize(1);
    assertThat(result.problems().get(0)).startsWith("broken.yaml: not valid YAML or JSON: ");
  }
}
