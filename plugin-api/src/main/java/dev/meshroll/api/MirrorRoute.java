package dev.meshroll.api;

import java.util.List;
import java.util.Objects;

/**
 * A managed route for requests matching any of its conditions: they are served as the weighted
 * routes would serve them, and {@code percentage} percent of them are also copied to one version,
 * whose answers are discarded.
 *
 * @param name the managed route's name, one of {@link RouteIntent#managedRoutes()}
 * @param version the version role that receives the copies (usually {@code canary})
 * @param percentage the share of matching requests that is copied, 0 to 100
 * @param match the conditions; a request matching any one of them is mirrored (OR); never empty
 */
public record MirrorRoute(String name, String version, int percentage, List<RequestMatch> match) {
  public MirrorRoute {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    match = List.copyOf(match);
    if (percentage < 0 || percentage > 100) {
      throw new IllegalArgumentException(
          "mirror route '" + name + "': percentage " + percentage + " is not within 0..100");
    }
    if (match.isEmpty()) {
      throw new IllegalArgumentException("mirror route '" + name + "' has no match");
    }
  }
}
