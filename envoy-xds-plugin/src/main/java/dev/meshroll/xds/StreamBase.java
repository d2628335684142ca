package dev.meshroll.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What state-of-the-world and incremental streams share: the client's node, the types served on
 * this stream, and writing behind gRPC's flow control, at most one unsent response per type, so
 * that a client that does not read costs one response per type and no queue.
 *
 * <p>Subclasses synchronize on the stream, as these methods do: requests arrive on gRPC's threads
 * and snapshots on the server's fan-out thread.
 *
 * @param <Q> the request message
 * @param <A> the response message
 */
abstract class StreamBase<Q, A> implements StreamObserver<Q>, XdsStream {
  final XdsServer server;
  private final ServerCallStreamObserver<A> out;
  private final String onlyType;
  private final Instant connectedSince = Instant.now();
  private final Map<String, A> unsent = new LinkedHashMap<>();
  private ServedSnapshot lastSnapshot;
  private long nonces;
  Node node = Node.getDefaultInstance();
  boolean closed;

  /**
   * @param onlyType the type of a per-type service; null for ADS
   */
  StreamBase(XdsServer server, StreamObserver<A> out, String onlyType) {
    this.server = server;
    this.out = (ServerCallStreamObserver<A>) out;
    this.onlyType = onlyType;
    this.out.setOnReadyHandler(this::drain);
    this.out.setOnCancelHandler(this::onCompleted);
  }

  /** The type a request is about; null for a type this stream does not serve (answer nothing). */
  String typeOf(String requested) {
    String type = requested.isEmpty() && onlyType != null ? onlyType : requested;
    boolean served =
        TypeUrls.ADD_ORDER.contains(type) && (onlyType == null || onlyType.equals(type));
    return served ? type : null;
  }

  /**
   * The order to push types in for {@code snapshot}: clusters first, unless clusters go, then
   * routes first, so that a client never routes to a cluster it does not know.
   */
  List<String> order(ServedSnapshot snapshot) {
    boolean removing = lastSnapshot != null && snapshot.removesClustersOf(lastSnapshot);
    lastSnapshot = snapshot;
    return removing ? TypeUrls.REMOVE_ORDER : TypeUrls.ADD_ORDER;
  }

  /** A nonce no earlier response of this stream had. */
  String nextNonce() {
    return Long.toString(++nonces);
  }

  /** Remembers the snapshot a response was made from, for the order of the next push. */
  void saw(ServedSnapshot snapshot) {
    lastSnapshot = snapshot;
  }

  /** Queues a type's response in place of one not yet written. */
  void send(String type, A response) {
    unsent.remove(type);
    unsent.put(type, response);
  }

  synchronized void drain() {
    while (!closed && out.isReady() && !unsent.isEmpty()) {
      String type = unsent.keySet().iterator().next();
      out.onNext(unsent.remove(type));
    }
  }

  NodeStatus status(Map<String, String> acked, String lastNack) {
    return new NodeStatus(node.getId(), node.getCluster(), connectedSince, acked, lastNack);
  }

  @Override
  public synchronized int unsentResponses() {
    return unsent.size();
  }

  @Override
  public synchronized void onError(Throwable error) {
    close();
  }

  @Override
  public synchronized void onCompleted() {
    if (!closed) {
      close();
      try {
        out.onCompleted();
      } catch (IllegalStateException e) {
        // already cancelled by the client: nothing left to close
      }
    }
  }

  private void close() {
    closed = true;
    unsent.clear();
    server.disconnected(this);
  }
}
