package dev.meshroll.host.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strategy's {@code trafficRouting} block: the managed routes in precedence order, and one opaque
 * config block per router, keyed by the router's id.
 */
public record TrafficRouting(List<String> managedRoutes, Map<String, Map<String, Object>> routers) {
  public TrafficRouting {
    managedRoutes = List.copyOf(managedRoutes);
    routers = Collections.unmodifiableMap(new LinkedHashMap<>(routers));
  }
}
