package dev.meshroll.host.engine;

import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RolloutRouting;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The traffic a rollout wants, the same for every router: weights per version role and the managed
 * routes in force. {@code generation} grows by one whenever the rest changes.
 */
public record Traffic(
    long generation,
    Map<String, Integer> weights,
    List<HeaderRoute> headerRoutes,
    List<MirrorRoute> mirrorRoutes) {

  public Traffic {
    weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    headerRoutes = List.copyOf(headerRoutes);
    mirrorRoutes = List.copyOf(mirrorRoutes);
  }

  /** All traffic to stable or canary (the other one at 0%), no managed routes. */
  static Traffic allTo(String version, long generation) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put(RolloutRouting.STABLE, version.equals(RolloutRouting.STABLE) ? 100 : 0);
    weights.put(RolloutRouting.CANARY, version.equals(RolloutRouting.CANARY) ? 100 : 0);
    return new Traffic(generation, weights, List.of(), List.of());
  }

  public int weightOf(String version) {
    return weights.getOrDefault(version, 0);
  }

  /** Whether both ask for the same routes, whatever their generations. */
  boolean sameRoutes(Traffic other) {
    return weights.equals(other.weights)
        && headerRoutes.equals(other.headerRoutes)
        && mirrorRoutes.equals(other.mirrorRoutes);
  }

  /** Whether the canary serves all weighted traffic. */
  boolean allCanary() {
    return weightOf(RolloutRouting.CANARY) == 100;
  }
}
