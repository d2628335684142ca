package dev.meshroll.xds;

import dev.meshroll.bench.FleetResources;
import dev.meshroll.bench.ServerControl;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Ours: the envoy-xds-plugin's {@link XdsServer} serving {@link FleetResources} on 127.0.0.1,
 * driven by a harness through {@link ServerControl}. It sits in the plugin's package because the
 * server is package-private there by design; a push is {@link XdsServer#publish}, as the router's
 * {@code apply} ends in (the router's intent file write and overlay are left out on purpose: the
 * peer's main does neither, and {@code SnapshotsBenchmark} measures the overlay).
 *
 * <p>Options: {@code --services K}, {@code --weight W} (the first snapshot's canary weight).
 */
public final class BenchXdsServer {
  private BenchXdsServer() {}

  public static void main(String[] args) throws Exception {
    FleetResources resources = ServerControl.resources(args);
    XdsServer server = XdsServer.start(new InetSocketAddress("127.0.0.1", 0));
    server.publish(set(resources, ServerControl.initialWeight(args)));
    ServerControl.serve(server.port(), weight -> server.publish(set(resources, weight)));
  }

  static ResourceSet set(FleetResources resources, int weight) {
    return new ResourceSet(
        byName(resources.listeners(), Listener::getName),
        byName(resources.routes(weight), RouteConfiguration::getName),
        byName(resources.clusters(), Cluster::getName),
        byName(resources.endpoints(), ClusterLoadAssignment::getClusterName));
  }

  private static <T> TreeMap<String, T> byName(List<T> resources, Function<T, String> name) {
    TreeMap<String, T> map = new TreeMap<>();
    resources.forEach(resource -> map.put(name.apply(resource), resource));
    return map;
  }
}
