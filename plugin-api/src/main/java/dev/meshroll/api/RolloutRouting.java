package dev.meshroll.api;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one rollout asks of one router for its whole life: the part of every {@link RouteIntent}
 * that does not change from step to step, and what {@link TrafficRouter#validate} checks before the
 * rollout starts.
 *
 * @param rollout the rollout
 * @param versions every version role the rollout may route to, stable first, then canary, then
 *     experiment variants; a router maps each to a target of its own (a cluster, a host, a subset)
 * @param services version role to Kubernetes Service name, from the strategy's {@code
 *     stableService} / {@code canaryService} (blue-green: {@code activeService} / {@code
 *     previewService}); empty when the spec names none. Routers that address versions otherwise
 *     (such as xDS clusters) ignore it
 * @param managedRoutes the names of the routes the rollout may add, in precedence order: a router
 *     places the active ones first, in this order, ahead of every route it splits by weight
 * @param config the router's own block under {@code trafficRouting}, as parsed from YAML: a tree of
 *     {@code Map}/{@code List}/{@code String}/{@code Number}/{@code Boolean}
 */
public record RolloutRouting(
    RolloutRef rollout,
    List<String> versions,
    Map<String, String> services,
    List<String> managedRoutes,
    Map<String, Object> config) {

  /** The role of the version that serves all traffic before a rollout starts. */
  public static final String STABLE = "stable";

  /** The role of the version being rolled out. */
  public static final String CANARY = "canary";

  public RolloutRouting {
    Objects.requireNonNull(rollout, "rollout");
    versions = List.copyOf(versions);
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    managedRoutes = List.copyOf(managedRoutes);
    config = Trees.freeze(config);
    if (versions.size() < 2 || !versions.get(0).equals(STABLE) || !versions.get(1).equals(CANARY)) {
      throw new IllegalArgumentException(
          rollout + ": versions " + versions + " must start with [stable, canary]");
    }
    if (new HashSet<>(versions).size() != versions.size()) {
      throw new IllegalArgumentException(rollout + ": versions " + versions + " repeat a name");
    }
    if (new HashSet<>(managedRoutes).size() != managedRoutes.size()) {
      throw new IllegalArgumentException(
          rollout + ": managed routes " + managedRoutes + " repeat a name");
    }
    if (!versions.containsAll(services.keySet())) {
      throw new IllegalArgumentException(
          rollout + ": services " + services.keySet() + " name a version not in " + versions);
    }
  }
}
