package dev.meshroll.api;

import java.util.List;
import java.util.Objects;

/**
 * A managed route that sends every request matching any of its header conditions to one version.
 * Routers place it ahead of the routes they split by weight, in the rollout's {@code managedRoutes}
 * order.
 *
 * @param name the managed route's name, one of {@link RouteIntent#managedRoutes()}
 * @param version the version role that receives the matching requests (usually {@code canary})
 * @param match the conditions; a request matching any one of them is routed (OR); never empty
 */
public record HeaderRoute(String name, String version, List<HeaderMatch> match) {
  public HeaderRoute {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    match = List.copyOf(match);
    if (match.isEmpty()) {
      throw new IllegalArgumentException("header route '" + name + "' has no match");
    }
  }
}
