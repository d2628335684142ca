package dev.meshroll.bench;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * N simulated Envoys on raw ADS streams (state of the world or delta) to one xDS server, with
 * {@code perConnection} streams sharing each TCP connection. Each subscribes to clusters and
 * listeners (wildcard), endpoints and routes (by name), and ACKs every response at once; the fleet
 * records when each stream first had all four types, and when each ACKed the route configuration
 * carrying the weight a push is expected to bring.
 */
final class Fleet implements AutoCloseable {
  static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  static final String ENDPOINT =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
  static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  /** In the order an Envoy asks: clusters and listeners, then their endpoints and routes. */
  static final List<String> TYPES = List.of(CLUSTER, ENDPOINT, LISTENER, ROUTE);

  static final int ROUTE_INDEX = 3;
  private static final int ALL_TYPES = 0b1111;

  /** The xDS protocol variant a fleet speaks. */
  enum Protocol {
    SOTW,
    DELTA
  }

  /** One simulated Envoy's stream. */
  interface Envoy {
    void start();
  }

  private final int port;
  private final Protocol protocol;
  private final int perConnection;
  private final List<List<String>> names;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Envoy> envoys = new ArrayList<>();

  // Per stream; each element is written only by its stream's callbacks, which gRPC serializes,
  // and read by the harness after the counter below that the same callback incremented.
  private final int[] typesAcked;
  private final long[] readyAt;
  private final long[] routeAckedAt;
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicInteger routeAcked = new AtomicInteger();
  private volatile int expectedWeight = -1;
  private final LongAdder[] responses = new LongAdder[TYPES.size()];
  private final AtomicInteger errors = new AtomicInteger();
  private final AtomicReference<String> firstError = new AtomicReference<>();
  private volatile boolean closing;

  Fleet(int port, Protocol protocol, FleetResources resources, int size, int perConnection) {
    this.port = port;
    this.protocol = protocol;
    this.perConnection = perConnection;
    this.names =
        List.of(List.of(), resources.clusterNames(), List.of(), List.of(FleetResources.ROUTES));
    this.typesAcked = new int[size];
    this.readyAt = new long[size];
    this.routeAckedAt = new long[size];
    for (int i = 0; i < responses.length; i++) {
      responses[i] = new LongAdder();
    }
  }

  int size() {
    return readyAt.length;
  }

  /** The names stream subscribes to for type {@code index} of {@link #TYPES}; empty: all. */
  List<String> names(int typeIndex) {
    return names.get(typeIndex);
  }

  /** Opens the streams {@code from} (inclusive) to {@code to} (exclusive), without waiting. */
  void open(int from, int to) {
    for (int index = from; index < to; index++) {
      int connection = index / perConnection;
      while (channels.size() <= connection) {
        channels.add(
            NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .directExecutor()
                .maxInboundMessageSize(64 << 20)
                .build());
      }
      Node node =
          Node.newBuilder()
              .setId("envoy-" + index)
              .setCluster("fleet")
              .setUserAgentName("meshroll-bench")
              .build();
      Envoy envoy =
          protocol == Protocol.SOTW
              ? new AdsEnvoy(this, index, node, channels.get(connection))
              : new DeltaEnvoy(this, index, node, channels.get(connection));
      envoys.add(envoy);
      envoy.start();
    }
  }

  /** A stream ACKed a response of type {@code typeIndex}; for routes, with this canary weight. */
  void acked(int index, int typeIndex, int canaryWeight) {
    long now = System.nanoTime();
    responses[typeIndex].increment();
    int before = typesAcked[index];
    int after = before | (1 << typeIndex);
    if (after != before) {
      typesAcked[index] = after;
      if (after == ALL_TYPES) {
        readyAt[index] = now;
        ready.incrementAndGet();
      }
    }
    if (typeIndex == ROUTE_INDEX
        && canaryWeight == expectedWeight
        && canaryWeight >= 0
        && routeAckedAt[index] == 0) {
      routeAckedAt[index] = now;
      routeAcked.incrementAndGet();
    }
  }

  void failed(int index, String why) {
    if (closing) {
      return; // the harness cancels every stream at the end
    }
    errors.incrementAndGet();
    firstError.compareAndSet(null, "stream " + index + ": " + why);
  }

  /** From now on, count the streams that ACK a route configuration with this canary weight. */
  void expect(int canaryWeight) {
    Arrays.fill(routeAckedAt, 0);
    routeAcked.set(0);
    expectedWeight = canaryWeight; // volatile: publishes the reset above to the callbacks
  }

  /** Waits until {@code count} streams have had all four types. */
  void awaitReady(int count, long timeoutMillis) throws InterruptedException, TimeoutException {
    await(ready::get, count, timeoutMillis, "had their first full config");
  }

  /** Waits until every stream has ACKed the expected route. */
  void awaitRouteAcked(long timeoutMillis) throws InterruptedException, TimeoutException {
    await(routeAcked::get, size(), timeoutMillis, "ACKed the new route");
  }

  private void await(IntSupplier done, int count, long timeoutMillis, String what)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (done.getAsInt() < count) {
      if (errors.get() > 0) {
        throw new IllegalStateException(
            errors.get() + " streams failed; first: " + firstError.get());
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "only "
                + done.getAsInt()
                + " of "
                + count
                + " streams "
                + what
                + " within "
                + timeoutMillis
                + " ms");
      }
      Thread.sleep(1);
    }
  }

  /** When each stream first had all four types ({@link System#nanoTime}). */
  long[] readyTimes() {
    return readyAt.clone();
  }

  /** When each stream ACKed the expected route ({@link System#nanoTime}). */
  long[] routeAckTimes() {
    return routeAckedAt.clone();
  }

  /** Responses received so far, over all types. */
  long responses() {
    return Arrays.stream(responses).mapToLong(LongAdder::sum).sum();
  }

  int errors() {
    return errors.get();
  }

  @Override
  public void close() {
    closing = true;
    channels.forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel channel : channels) {
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
