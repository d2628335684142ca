package dev.meshroll.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A raw ADS client that behaves like an Envoy of the test fleet (and of e2e's, from the test-jar):
 * it subscribes to every listener and cluster, the endpoints of reviews-v1..v3 and route
 * configuration 'ingress', and answers each response at once, with an ACK, or a NACK where {@code
 * rejection} gives a message. While {@link #holding} says so it answers nothing (a node that lags);
 * {@link #answerHeld} catches up.
 */
public final class FleetNode implements AutoCloseable {
  private static final List<String> ENDPOINTS = List.of("reviews-v1", "reviews-v2", "reviews-v3");

  private final ManagedChannel channel;
  private final StreamObserver<DiscoveryRequest> requests;
  private final Function<DiscoveryResponse, Optional<String>> rejection;
  private final Map<String, String> accepted = new ConcurrentHashMap<>();
  private final List<DiscoveryResponse> held = new ArrayList<>();
  private final List<RouteConfiguration> routes = new CopyOnWriteArrayList<>();
  private volatile Predicate<DiscoveryResponse> holding = response -> false;

  public FleetNode(int port, String id, Function<DiscoveryResponse, Optional<String>> rejection) {
    this.rejection = rejection;
    channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse response) {
                    receive(response);
                  }

                  @Override
                  public void onError(Throwable error) {}

                  @Override
                  public void onCompleted() {}
                });
    Node node = Node.newBuilder().setId(id).setCluster("fleet").build();
    // A stream's requests must not be sent from two threads at once: answers come from gRPC's.
    synchronized (this) {
      for (String type : TypeUrls.ADD_ORDER) {
        requests.onNext(
            DiscoveryRequest.newBuilder()
                .setNode(node)
                .setTypeUrl(type)
                .addAllResourceNames(names(type))
                .build());
      }
    }
  }

  /** A node that accepts everything. */
  public FleetNode(int port, String id) {
    this(port, id, response -> Optional.empty());
  }

  private static List<String> names(String type) {
    return switch (type) {
      case TypeUrls.ROUTE -> List.of("ingress");
      case TypeUrls.ENDPOINT -> ENDPOINTS;
      default -> List.of();
    };
  }

  /**
   * From now on, responses that {@code which} selects stay unanswered until {@link #answerHeld}.
   */
  public void holding(Predicate<DiscoveryResponse> which) {
    holding = which;
  }

  public synchronized void answerHeld() {
    holding = response -> false;
    List<DiscoveryResponse> pending = List.copyOf(held);
    held.clear();
    pending.forEach(this::answer);
  }

  private synchronized void receive(DiscoveryResponse response) {
    if (holding.test(response)) {
      held.add(response);
    } else {
      answer(response);
    }
  }

  private synchronized void answer(DiscoveryResponse response) {
    DiscoveryRequest.Builder answer =
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(names(response.getTypeUrl()));
    Optional<String> refusal = rejection.apply(response);
    if (refusal.isPresent()) {
      answer
          .setVersionInfo(accepted.getOrDefault(response.getTypeUrl(), ""))
          .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage(refusal.get()));
    } else {
      accepted.put(response.getTypeUrl(), response.getVersionInfo());
      answer.setVersionInfo(response.getVersionInfo());
      if (response.getTypeUrl().equals(TypeUrls.ROUTE)) {
        response.getResourcesList().forEach(any -> routes.add(unpack(any)));
      }
    }
    requests.onNext(answer.build());
  }

  /** Every route configuration the node accepted, oldest first. */
  public List<RouteConfiguration> routes() {
    return List.copyOf(routes);
  }

  /**
   * The weight the newest accepted route configuration gives {@code cluster} on route {@code
   * route}; 0 when none has.
   */
  public int weight(String route, String cluster) {
    List<RouteConfiguration> all = routes();
    return all.isEmpty() ? 0 : weight(all.get(all.size() - 1), route, cluster);
  }

  /** The weight a route configuration gives {@code cluster} on route {@code route}. */
  public static int weight(RouteConfiguration routes, String route, String cluster) {
    return routes.getVirtualHostsList().stream()
        .flatMap(host -> host.getRoutesList().stream())
        .filter(candidate -> candidate.getName().equals(route))
        .flatMap(candidate -> candidate.getRoute().getWeightedClusters().getClustersList().stream())
        .filter(weighted -> weighted.getName().equals(cluster))
        .mapToInt(weighted -> weighted.getWeight().getValue())
        .sum();
  }

  private static RouteConfiguration unpack(com.google.protobuf.Any any) {
    try {
      return any.unpack(RouteConfiguration.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("the server sent a route configuration that is none", e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
