package dev.meshroll.xds;

import java.util.List;

/** The xDS resource types this server serves, and the order ADS pushes them in. */
final class TypeUrls {
  static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String ENDPOINT =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  /**
   * Clusters and their endpoints before the listeners and routes that use them, so that a client
   * never routes to a cluster it does not know.
   */
  static final List<String> ADD_ORDER = List.of(CLUSTER, ENDPOINT, LISTENER, ROUTE);

  /** On removal, routes first: nothing may still point at a cluster when it goes. */
  static final List<String> REMOVE_ORDER = List.of(LISTENER, ROUTE, CLUSTER, ENDPOINT);

  private TypeUrls() {}

  /** Where a served type is in {@link #ADD_ORDER}: streams keep their state of each type there. */
  static int index(String typeUrl) {
    return ADD_ORDER.indexOf(typeUrl);
  }

  /** {@code RouteConfiguration} for people. */
  static String shortName(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }

  /**
   * Whether the type has wildcard subscriptions: in xDS only listeners and clusters do (the name
   * {@code *}, or no names in a stream's first request). For routes and endpoints no names means
   * none.
   */
  static boolean hasWildcard(String typeUrl) {
    return typeUrl.equals(LISTENER) || typeUrl.equals(CLUSTER);
  }
}
