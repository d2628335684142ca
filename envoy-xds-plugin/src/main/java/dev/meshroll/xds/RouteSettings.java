package dev.meshroll.xds;

import dev.meshroll.api.ValidationProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rollout's {@code xds:} block: which routes of which route configuration to manage, and the
 * cluster of each version role.
 *
 * @param routeConfiguration the RouteConfiguration's name
 * @param virtualHost the virtual host's name within it
 * @param routes the names of the routes to split; empty means the virtual host's only route
 * @param versions version role to cluster name
 */
record RouteSettings(
    String routeConfiguration,
    String virtualHost,
    List<String> routes,
    Map<String, String> versions) {

  private static final List<String> KEYS =
      List.of("routeConfiguration", "virtualHost", "routes", "versions");

  /**
   * Reads a config block and reports every problem of it; empty when a required part is missing or
   * wrong (an unknown field alone is reported but leaves the rest readable).
   */
  static Optional<RouteSettings> read(
      Map<String, Object> config, List<String> roles, List<ValidationProblem> problems) {
    config.keySet().stream()
        .filter(key -> !KEYS.contains(key))
        .forEach(
            key ->
                problems.add(
                    new ValidationProblem(
                        key, "unknown field (expected one of: " + String.join(", ", KEYS) + ")")));
    // Unknown fields are reported, but do not keep the known ones from being checked.
    int before = problems.size();
    String routeConfiguration = text(config, "routeConfiguration", problems);
    String virtualHost = text(config, "virtualHost", problems);
    List<String> routes = new ArrayList<>();
    Object names = config.get("routes");
    if (names instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
      list.forEach(name -> routes.add((String) name));
    } else if (names != null) {
      problems.add(new ValidationProblem("routes", "expected a list of route names, got " + names));
    }
    Map<String, String> versions = new LinkedHashMap<>();
    if (config.get("versions") instanceof Map<?, ?> map) {
      map.forEach(
          (role, cluster) -> {
            if (cluster instanceof String name && !name.isEmpty()) {
              versions.put(String.valueOf(role), name);
            } else {
              problems.add(
                  new ValidationProblem(
                      "versions." + role, "expected a cluster name, got " + cluster));
            }
          });
    } else {
      problems.add(
          new ValidationProblem(
              "versions",
              "is required: a cluster per version role, e.g. {stable: reviews-v1, canary: reviews-v2}"));
    }
    roles.stream()
        .filter(role -> config.get("versions") instanceof Map<?, ?> && !versions.containsKey(role))
        .forEach(
            role ->
                problems.add(
                    new ValidationProblem(
                        "versions." + role, "is required: the cluster of version '" + role + "'")));
    return problems.size() == before
        ? Optional.of(new RouteSettings(routeConfiguration, virtualHost, routes, versions))
        : Optional.empty();
  }

  private static String text(
      Map<String, Object> config, String key, List<ValidationProblem> problems) {
    Object value = config.get(key);
    if (value instanceof String text && !text.isEmpty()) {
      return text;
    }
    problems.add(
        new ValidationProblem(
            key, value == null ? "is required" : "expected a name, got " + value));
    return "";
  }
}
