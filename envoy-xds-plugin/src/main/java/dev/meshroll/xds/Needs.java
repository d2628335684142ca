package dev.meshroll.xds;

import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RouteIntent;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every resource an intent makes a node need before it serves the intent: the route configuration
 * (at a version carrying the intent's generation), the listeners that lead to it, and the cluster
 * and endpoints of every version the intent sends traffic to. Pure.
 *
 * @param routeConfiguration the name of the route configuration the intent overlays
 * @param routeVersion the first RouteConfiguration type version that carries the intent
 * @param resources the route configuration first, then its listeners, clusters and endpoints
 */
record Needs(String routeConfiguration, long routeVersion, List<Need> resources) {
  /** One resource by type and name. */
  record Need(String type, String name) {
    /** {@code Cluster 'reviews-v2'}, for messages. */
    @Override
    public String toString() {
      return TypeUrls.shortName(type) + " '" + name + "'";
    }
  }

  Needs {
    resources = List.copyOf(resources);
  }

  /** What a node needs to serve {@code intent}, whose routes first went out at {@code version}. */
  static Needs of(RouteIntent intent, RouteSettings settings, ResourceSet served, long version) {
    List<Need> needs = new ArrayList<>();
    String routes = settings.routeConfiguration();
    needs.add(new Need(TypeUrls.ROUTE, routes));
    for (Listener listener : served.listeners().values()) {
      if (RouteNames.ofListener(listener).equals(routes)) {
        needs.add(new Need(TypeUrls.LISTENER, listener.getName()));
      }
    }
    Set<String> clusters = new LinkedHashSet<>();
    intent
        .weights()
        .forEach(
            (role, weight) -> {
              if (weight > 0) {
                clusters.add(settings.versions().get(role));
              }
            });
    intent.headerRoutes().stream()
        .map(HeaderRoute::version)
        .forEach(role -> clusters.add(settings.versions().get(role)));
    intent.mirrorRoutes().stream()
        .map(MirrorRoute::version)
        .forEach(role -> clusters.add(settings.versions().get(role)));
    List<Need> endpoints = new ArrayList<>();
    for (String name : clusters) {
      needs.add(new Need(TypeUrls.CLUSTER, name));
      Cluster cluster = served.clusters().get(name);
      if (cluster != null && cluster.getType() == Cluster.DiscoveryType.EDS) {
        String assignment = cluster.getEdsClusterConfig().getServiceName();
        String endpointsName = assignment.isEmpty() ? name : assignment;
        if (served.endpoints().containsKey(endpointsName)) {
          endpoints.add(new Need(TypeUrls.ENDPOINT, endpointsName));
        }
      }
    }
    needs.addAll(endpoints);
    return new Needs(routes, version, needs);
  }
}
