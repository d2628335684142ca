package dev.meshroll.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** One consistent set of xDS resources, each type by name. Immutable. */
record ResourceSet(
    SortedMap<String, Listener> listeners,
    SortedMap<String, RouteConfiguration> routes,
    SortedMap<String, Cluster> clusters,
    SortedMap<String, ClusterLoadAssignment> endpoints) {

  static final ResourceSet EMPTY =
      new ResourceSet(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());

  ResourceSet {
    listeners = Collections.unmodifiableSortedMap(new TreeMap<>(listeners));
    routes = Collections.unmodifiableSortedMap(new TreeMap<>(routes));
    clusters = Collections.unmodifiableSortedMap(new TreeMap<>(clusters));
    endpoints = Collections.unmodifiableSortedMap(new TreeMap<>(endpoints));
  }

  /** The same resources with these route configurations in place of those of the same name. */
  ResourceSet withRoutes(Map<String, RouteConfiguration> replaced) {
    TreeMap<String, RouteConfiguration> merged = new TreeMap<>(routes);
    merged.putAll(replaced);
    return new ResourceSet(listeners, merged, clusters, endpoints);
  }

  /** The resources of one type, by name. */
  SortedMap<String, ? extends com.google.protobuf.Message> ofType(String typeUrl) {
    return switch (typeUrl) {
      case TypeUrls.LISTENER -> listeners;
      case TypeUrls.ROUTE -> routes;
      case TypeUrls.CLUSTER -> clusters;
      case TypeUrls.ENDPOINT -> endpoints;
      default -> throw new IllegalArgumentException("not a type this server serves: " + typeUrl);
    };
  }
}
