package dev.meshroll.api;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The traffic one rollout wants right now, for one router: the whole desired state, never a delta.
 * Every intent carries all header and mirror routes in force, so a router that applies it after a
 * restart, or twice, ends in the same place.
 *
 * <p>A router must treat an intent as desired state: write what differs from the mesh, leave
 * everything it does not manage as found, and be able to tell through {@link TrafficRouter#verify}
 * whether the data plane serves it.
 *
 * @param routing the rollout's constant part: versions, services, managed routes, router config
 * @param generation increases whenever the desired traffic changes; a router may report progress
 *     per generation, and must never let an older generation overwrite a newer one
 * @param weights version role to percent of the weighted traffic, each 0..100, summing to 100, in
 *     the order of {@link RolloutRouting#versions()}; only roles of {@code routing.versions()}
 * @param headerRoutes the header routes in force, in {@code managedRoutes} order
 * @param mirrorRoutes the mirror routes in force, in {@code managedRoutes} order
 */
public record RouteIntent(
    RolloutRouting routing,
    long generation,
    Map<String, Integer> weights,
    List<HeaderRoute> headerRoutes,
    List<MirrorRoute> mirrorRoutes) {

  public RouteIntent {
    Objects.requireNonNull(routing, "routing");
    weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    headerRoutes = List.copyOf(headerRoutes);
    mirrorRoutes = List.copyOf(mirrorRoutes);
    String where = routing.rollout() + " generation " + generation;
    if (generation < 0) {
      throw new IllegalArgumentException(where + ": generation must not be negative");
    }
    int total = 0;
    for (Map.Entry<String, Integer> weight : weights.entrySet()) {
      if (!routing.versions().contains(weight.getKey())) {
        throw new IllegalArgumentException(
            where + ": weight for unknown version '" + weight.getKey() + "'");
      }
      if (weight.getValue() < 0 || weight.getValue() > 100) {
        throw new IllegalArgumentException(
            where + ": weight " + weight.getValue() + " of " + weight.getKey() + " not in 0..100");
      }
      total += weight.getValue();
    }
    if (total != 100) {
      throw new IllegalArgumentException(
          where + ": weights " + weights + " sum to " + total + " (expected: 100)");
    }
    Set<String> seen = new HashSet<>();
    for (HeaderRoute route : headerRoutes) {
      checkManaged(where, routing, seen, route.name(), route.version());
    }
    for (MirrorRoute route : mirrorRoutes) {
      checkManaged(where, routing, seen, route.name(), route.version());
    }
  }

  private static void checkManaged(
      String where, RolloutRouting routing, Set<String> seen, String name, String version) {
    if (!routing.managedRoutes().contains(name)) {
      throw new IllegalArgumentException(
          where + ": route '" + name + "' is not in managedRoutes " + routing.managedRoutes());
    }
    if (!seen.add(name)) {
      throw new IllegalArgumentException(where + ": route '" + name + "' is set twice");
    }
    if (!routing.versions().contains(version)) {
      throw new IllegalArgumentException(
          where + ": route '" + name + "' targets unknown version '" + version + "'");
    }
  }

  /** The rollout this intent belongs to. */
  public RolloutRef rollout() {
    return routing.rollout();
  }

  /** The router's own config block, as in {@link RolloutRouting#config()}. */
  public Map<String, Object> config() {
    return routing.config();
  }

  /** The percent of weighted traffic for a version role; 0 for a role without a weight. */
  public int weightOf(String version) {
    return weights.getOrDefault(version, 0);
  }
}
