package dev.meshroll.bench;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.controlplane.server.serializer.CachedProtoResourcesSerializer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The peer: java-control-plane ({@code io.envoyproxy.controlplane:server} 1.0.49) serving {@link
 * FleetResources} from one snapshot shared by every node, on the same grpc-netty-shaded transport
 * and defaults as ours, bound to 127.0.0.1. Driven by a harness through {@link ServerControl}.
 *
 * <p>Options: {@code --services K}, {@code --weight W} (the first snapshot's canary weight), {@code
 * --serializer default|cached} ({@code default} is what {@code new V3DiscoveryServer(cache)} gives:
 * every response packs its resources anew; {@code cached} shares packed resources).
 */
public final class PeerXdsServer {
  private static final String GROUP = "fleet";

  private PeerXdsServer() {}

  public static void main(String[] args) throws Exception {
    FleetResources resources = ServerControl.resources(args);
    SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
    V3DiscoveryServer discovery =
        ServerControl.option(args, "--serializer", "default").equals("cached")
            ? new V3DiscoveryServer(
                List.of(),
                cache,
                new io.envoyproxy.controlplane.server.DefaultExecutorGroup(),
                new CachedProtoResourcesSerializer())
            : new V3DiscoveryServer(cache);
    cache.setSnapshot(GROUP, snapshot(resources, ServerControl.initialWeight(args), 0));
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .addService(discovery.getListenerDiscoveryServiceImpl())
            .addService(discovery.getRouteDiscoveryServiceImpl())
            .addService(discovery.getClusterDiscoveryServiceImpl())
            .addService(discovery.getEndpointDiscoveryServiceImpl())
            .build()
            .start();
    int[] pushes = {0};
    ServerControl.serve(
        server.getPort(),
        weight -> cache.setSnapshot(GROUP, snapshot(resources, weight, ++pushes[0])));
  }

  /**
   * Only the route configuration's version changes from push to push, as with ours: the other types
   * keep version 1, so the peer pushes only routes.
   */
  private static Snapshot snapshot(FleetResources resources, int weight, int push) {
    return Snapshot.create(
        resources.clusters(),
        "1",
        resources.endpoints(),
        "1",
        resources.listeners(),
        "1",
        resources.routes(weight),
        "r" + push,
        List.of(),
        "1");
  }
}
