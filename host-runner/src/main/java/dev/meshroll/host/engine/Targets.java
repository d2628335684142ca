package dev.meshroll.host.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each router of a rollout addresses each version role as: an xDS cluster, an Istio subset, a
 * Kubernetes Service. The routers say it when a revision is admitted; the status records from it
 * which target is live.
 *
 * @param byRouter router id to version role to target
 */
public record Targets(Map<String, Map<String, String>> byRouter) {
  /** No router said anything: live targets are not tracked. */
  public static final Targets NONE = new Targets(Map.of());

  public Targets {
    Map<String, Map<String, String>> copy = new LinkedHashMap<>();
    byRouter.forEach(
        (router, roles) ->
            copy.put(router, Collections.unmodifiableMap(new LinkedHashMap<>(roles))));
    byRouter = Collections.unmodifiableMap(copy);
  }

  /** Each router's target for {@code role}; routers that name none for it are left out. */
  public Map<String, String> of(String role) {
    Map<String, String> targets = new LinkedHashMap<>();
    byRouter.forEach(
        (router, roles) -> {
          if (roles.containsKey(role)) {
            targets.put(router, roles.get(role));
          }
        });
    return targets;
  }
}
