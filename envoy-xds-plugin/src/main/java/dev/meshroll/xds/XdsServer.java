package dev.meshroll.xds;

import io.envoyproxy.envoy.service.cluster.v3.ClusterDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.endpoint.v3.EndpointDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.listener.v3.ListenerDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.route.v3.RouteDiscoveryServiceGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The xDS v3 server: ADS and the per-type LDS, RDS, CDS and EDS services, state of the world and
 * incremental (delta). It serves one snapshot at a time; {@link #publish} replaces it and fans the
 * change out to every stream on a thread of its own, never on the caller's.
 */
final class XdsServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(XdsServer.class);

  private final Server grpc;
  private final Set<XdsStream> streams = ConcurrentHashMap.newKeySet();
  // The node ids that have connected in this run: nodes remembered from before it count until then.
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final ExecutorService fanout =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "xds-fanout");
            thread.setDaemon(true);
            return thread;
          });
  // Replaced whole under the publish lock; read without it (a volatile snapshot is enough).
  private volatile ServedSnapshot snapshot;

  /**
   * The files of the xDS port's TLS: the server's certificate chain and key (PEM), and for mutual
   * TLS the CA whose certificates clients must present.
   */
  record Tls(File certificate, File key, Optional<File> clientCa) {}

  private XdsServer(InetSocketAddress address, Optional<Tls> tls) throws SSLException {
    this.snapshot = ServedSnapshot.empty(Long.toString(System.currentTimeMillis(), 36));
    // Every handler here only updates its stream's state under the stream's lock and queues
    // responses (a NACK also logs a line): none blocks, so gRPC runs them on its event loops
    // instead of handing each message to another thread (a wake-up and a queue per ACK).
    NettyServerBuilder builder = NettyServerBuilder.forAddress(address).directExecutor();
    if (tls.isPresent()) {
      SslContextBuilder context =
          GrpcSslContexts.forServer(tls.get().certificate(), tls.get().key());
      tls.get().clientCa().ifPresent(ca -> context.trustManager(ca).clientAuth(ClientAuth.REQUIRE));
      builder.sslContext(context.build());
    }
    this.grpc =
        builder
            .addService(
                new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
                  @Override
                  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
                      StreamObserver<DiscoveryResponse> out) {
                    return open(out, null);
                  }

                  @Override
                  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
                      StreamObserver<DeltaDiscoveryResponse> out) {
                    return openDelta(out, null);
                  }
                })
            .addService(
                new ListenerDiscoveryServiceGrpc.ListenerDiscoveryServiceImplBase() {
                  @Override
                  public StreamObserver<DiscoveryRequest> streamListeners(
                      StreamObserver<DiscoveryResponse> out) {
                    return open(out, TypeUrls.LISTENER);
                  }

                  @Override
                  public StreamObserver<DeltaDiscoveryRequest> deltaListeners(
                      StreamObserver<DeltaDiscoveryResponse> out) {
                    return openDelta(out, TypeUrls.LISTENER);
                  }
                })
            .addService(
                new RouteDiscoveryServiceGrpc.RouteDiscoveryServiceImplBase() {
                  @Override
                  public StreamObserver<DiscoveryRequest> streamRoutes(
                      StreamObserver<DiscoveryResponse> out) {
                    return open(out, TypeUrls.ROUTE);
                  }

                  @Override
                  public StreamObserver<DeltaDiscoveryRequest> deltaRoutes(
                      StreamObserver<DeltaDiscoveryResponse> out) {
                    return openDelta(out, TypeUrls.ROUTE);
                  }
                })
            .addService(
                new ClusterDiscoveryServiceGrpc.ClusterDiscoveryServiceImplBase() {
                  @Override
                  public StreamObserver<DiscoveryRequest> streamClusters(
                      StreamObserver<DiscoveryResponse> out) {
                    return open(out, TypeUrls.CLUSTER);
                  }

                  @Override
                  public StreamObserver<DeltaDiscoveryRequest> deltaClusters(
                      StreamObserver<DeltaDiscoveryResponse> out) {
                    return openDelta(out, TypeUrls.CLUSTER);
                  }
                })
            .addService(
                new EndpointDiscoveryServiceGrpc.EndpointDiscoveryServiceImplBase() {
                  @Override
                  public StreamObserver<DiscoveryRequest> streamEndpoints(
                      StreamObserver<DiscoveryResponse> out) {
                    return open(out, TypeUrls.ENDPOINT);
                  }

                  @Override
                  public StreamObserver<DeltaDiscoveryRequest> deltaEndpoints(
                      StreamObserver<DeltaDiscoveryResponse> out) {
                    return openDelta(out, TypeUrls.ENDPOINT);
                  }
                })
            .build();
  }

  /** Listens on {@code address} in plain text; port 0 picks a free one (see {@link #port()}). */
  static XdsServer start(InetSocketAddress address) throws IOException {
    return start(address, Optional.empty());
  }

  /** Listens on {@code address}, with TLS when {@code tls} is given. */
  static XdsServer start(InetSocketAddress address, Optional<Tls> tls) throws IOException {
    XdsServer server = new XdsServer(address, tls);
    server.grpc.start();
    logger.info(
        "xDS server listening on {}:{}{}",
        address.getHostString(),
        server.port(),
        tls.map(files -> files.clientCa().isPresent() ? " (mutual TLS)" : " (TLS)").orElse(""));
    return server;
  }

  private StreamObserver<DiscoveryRequest> open(
      StreamObserver<DiscoveryResponse> out, String onlyType) {
    AdsStream stream = new AdsStream(this, out, onlyType);
    streams.add(stream);
    return stream;
  }

  private StreamObserver<DeltaDiscoveryRequest> openDelta(
      StreamObserver<DeltaDiscoveryResponse> out, String onlyType) {
    DeltaStream stream = new DeltaStream(this, out, onlyType);
    streams.add(stream);
    return stream;
  }

  int port() {
    return grpc.getPort();
  }

  ServedSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Serves {@code resources} from now on.
   *
   * @return the snapshot now served
   */
  synchronized ServedSnapshot publish(ResourceSet resources) {
    ServedSnapshot previous = snapshot;
    ServedSnapshot next = previous.next(resources);
    snapshot = next;
    XdsStream.Publication publication =
        new XdsStream.Publication(next, previous, next.removesClustersOf(previous));
    fanout.execute(() -> streams.forEach(stream -> stream.onSnapshot(publication)));
    return next;
  }

  void nacked(String node, Nack nack) {
    logger.warn("node {} rejected {}", node, nack);
  }

  /** A stream named its node: the node has been seen in this server's run. */
  void identified(String node) {
    seen.add(node);
  }

  /** Whether a node with this id has connected since the server started. */
  boolean seen(String node) {
    return seen.contains(node);
  }

  void disconnected(XdsStream stream) {
    streams.remove(stream);
  }

  /** Responses waiting, over every stream, for clients that do not read. */
  int unsentResponses() {
    return streams.stream().mapToInt(XdsStream::unsentResponses).sum();
  }

  /** Every connected node, by node id: one entry for all the streams of a node. */
  List<NodeStatus> nodes() {
    Map<String, NodeStatus> nodes = new TreeMap<>();
    for (XdsStream stream : streams) {
      NodeStatus status = stream.status();
      nodes.merge(status.id(), status, NodeStatus::with);
    }
    return List.copyOf(nodes.values());
  }

  /**
   * Every connected node that subscribes to {@code needs}' route configuration, with what it has of
   * everything the intent makes it need. A node's resources may come over several streams (one per
   * type): it has a resource when every stream of it that carries that type has it.
   */
  List<Convergence.Node> fleet(Needs needs) {
    ServedSnapshot current = snapshot;
    Map<String, List<XdsStream.Probe>> byNode = new TreeMap<>();
    for (XdsStream stream : streams) {
      XdsStream.Probe probe = stream.probe(needs, current);
      byNode.computeIfAbsent(probe.node(), node -> new ArrayList<>()).add(probe);
    }
    List<Convergence.Node> fleet = new ArrayList<>();
    byNode.forEach(
        (node, probes) -> {
          if (probes.stream()
              .anyMatch(probe -> probe.holdings().get(0) != XdsStream.Holding.UNWATCHED)) {
            fleet.add(node(node, probes, needs));
          }
        });
    return fleet;
  }

  private static Convergence.Node node(String id, List<XdsStream.Probe> probes, Needs needs) {
    String lacking = "";
    for (int i = 0; i < needs.resources().size(); i++) {
      Needs.Need need = needs.resources().get(i);
      for (XdsStream.Probe probe : probes) {
        XdsStream.Holding holding = probe.holdings().get(i);
        Optional<Nack> nack = probe.rejections().get(i);
        if (holding == XdsStream.Holding.REJECTED && nack.isPresent()) {
          return Convergence.Node.failed(
              id,
              "rejected "
                  + need
                  + " (version "
                  + nack.get().version()
                  + "): "
                  + nack.get().message());
        }
        if (holding == XdsStream.Holding.MISSING && lacking.isEmpty()) {
          lacking = "lacks " + need;
        }
      }
    }
    return lacking.isEmpty() ? Convergence.Node.acked(id) : Convergence.Node.lagging(id, lacking);
  }

  @Override
  public void close() {
    grpc.shutdownNow();
    fanout.shutdownNow();
    try {
      grpc.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
