package dev.meshroll.bench;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.ArrayList;
import java.util.List;

/**
 * The resources both xDS servers serve in a bench, built the same way for each: one API listener
 * with RDS over ADS, one route configuration with a virtual host per service, and two EDS clusters
 * (v1, v2) with their endpoints per service. A push changes the weights of service 0's route only.
 *
 * @param services how many services (virtual hosts; twice as many clusters and endpoint sets)
 */
public record FleetResources(int services) {
  public static final String LISTENER = "fleet";
  public static final String ROUTES = "fleet-routes";

  public FleetResources {
    if (services < 1) {
      throw new IllegalArgumentException("services: " + services + " (expected: at least 1)");
    }
  }

  /** The cluster of version {@code version} (1 or 2) of service {@code service}. */
  public static String cluster(int service, int version) {
    return "svc-" + service + "-v" + version;
  }

  /** Every cluster's name, which is also its endpoints' name. */
  public List<String> clusterNames() {
    List<String> names = new ArrayList<>();
    for (int service = 0; service < services; service++) {
      names.add(cluster(service, 1));
      names.add(cluster(service, 2));
    }
    return names;
  }

  public List<Listener> listeners() {
    ConfigSource ads =
        ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();
    HttpConnectionManager manager =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(LISTENER)
            .setRds(Rds.newBuilder().setRouteConfigName(ROUTES).setConfigSource(ads))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    return List.of(
        Listener.newBuilder()
            .setName(LISTENER)
            .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(manager)))
            .build());
  }

  /** The route configuration with {@code canaryWeight}% of service 0 going to its v2. */
  public List<RouteConfiguration> routes(int canaryWeight) {
    RouteConfiguration.Builder routes = RouteConfiguration.newBuilder().setName(ROUTES);
    for (int service = 0; service < services; service++) {
      RouteAction.Builder action = RouteAction.newBuilder();
      if (service == 0) {
        action.setWeightedClusters(
            WeightedCluster.newBuilder()
                .addClusters(
                    WeightedCluster.ClusterWeight.newBuilder()
                        .setName(cluster(0, 1))
                        .setWeight(UInt32Value.of(100 - canaryWeight)))
                .addClusters(
                    WeightedCluster.ClusterWeight.newBuilder()
                        .setName(cluster(0, 2))
                        .setWeight(UInt32Value.of(canaryWeight))));
      } else {
        action.setCluster(cluster(service, 1));
      }
      routes.addVirtualHosts(
          VirtualHost.newBuilder()
              .setName("svc-" + service)
              .addDomains("svc-" + service)
              .addDomains("svc-" + service + ".fleet.svc.cluster.local")
              .addRoutes(
                  Route.newBuilder()
                      .setName("primary")
                      .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                      .setRoute(action)));
    }
    return List.of(routes.build());
  }

  /** The canary weight of service 0 in a route configuration; -1 when it has none. */
  public static int canaryWeight(RouteConfiguration routes) {
    if (routes.getVirtualHostsCount() == 0 || routes.getVirtualHosts(0).getRoutesCount() == 0) {
      return -1;
    }
    WeightedCluster weighted =
        routes.getVirtualHosts(0).getRoutes(0).getRoute().getWeightedClusters();
    for (WeightedCluster.ClusterWeight cluster : weighted.getClustersList()) {
      if (cluster.getName().equals(cluster(0, 2))) {
        return cluster.getWeight().getValue();
      }
    }
    return -1;
  }

  public List<Cluster> clusters() {
    ConfigSource ads =
        ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();
    return clusterNames().stream()
        .map(
            name ->
                Cluster.newBuilder()
                    .setName(name)
                    .setType(Cluster.DiscoveryType.EDS)
                    .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads))
                    .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
                    .build())
        .toList();
  }

  public List<ClusterLoadAssignment> endpoints() {
    List<ClusterLoadAssignment> assignments = new ArrayList<>();
    int port = 20000;
    for (String name : clusterNames()) {
      LocalityLbEndpoints.Builder locality =
          LocalityLbEndpoints.newBuilder()
              .setLocality(Locality.newBuilder().setRegion("local"))
              .setLoadBalancingWeight(UInt32Value.of(1));
      for (int replica = 0; replica < 3; replica++) {
        locality.addLbEndpoints(
            LbEndpoint.newBuilder()
                .setEndpoint(
                    Endpoint.newBuilder()
                        .setAddress(
                            Address.newBuilder()
                                .setSocketAddress(
                                    SocketAddress.newBuilder()
                                        .setAddress("10.0." + (port / 250) + "." + (port % 250))
                                        .setPortValue(8080)))));
        port++;
      }
      assignments.add(
          ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(locality).build());
    }
    return assignments;
  }
}
