package dev.meshroll.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
  /** The names clients subscribe to: thousands of streams often ask for the same ones. */
  static final Interner<Set<String>> NAMES = new Interner<>();

  private static final Interner<String> CLUSTERS = new Interner<>();

  final XdsServer server;
  private final ServerCallStreamObserver<A> out;
  private final String onlyType;
  private final Instant connectedSince = Instant.now();
  // Null while nothing waits, which is most of the time: an idle stream keeps no map.
  private Map<String, A> unsent;
  private ServedSnapshot lastSnapshot;
  private long nonces;
  private String nodeId = "";
  private String nodeCluster = "";
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

  /**
   * The type a request is about, as {@link TypeUrls} spells it; null for a type this stream does
   * not serve (answer nothing).
   */
  String typeOf(String requested) {
    String type = requested.isEmpty() && onlyType != null ? onlyType : requested;
    int index = TypeUrls.index(type);
    boolean served = index >= 0 && (onlyType == null || onlyType.equals(type));
    return served ? TypeUrls.ADD_ORDER.get(index) : null;
  }

  /** Keeps what the fleet view shows of the client's node, and nothing else of it. */
  void identify(Node node) {
    nodeId = node.getId();
    nodeCluster = CLUSTERS.intern(node.getCluster());
    server.identified(nodeId);
  }

  /**
   * The order to push types in for a new snapshot: clusters first, unless clusters go, then routes
   * first, so that a client never routes to a cluster it does not know. Whether clusters go is the
   * publication's answer when this stream last saw the snapshot it replaced, as nearly all have.
   */
  List<String> order(Publication publication) {
    boolean removing =
        lastSnapshot == publication.previous()
            ? publication.removesClusters()
            : lastSnapshot != null && publication.snapshot().removesClustersOf(lastSnapshot);
    lastSnapshot = publication.snapshot();
    return removing ? TypeUrls.REMOVE_ORDER : TypeUrls.ADD_ORDER;
  }

  /** A nonce no earlier response of this stream had; never 0. */
  long nextNonce() {
    return ++nonces;
  }

  /** Whether a client's {@code nonce} names the response sent with {@code sent} (0: none). */
  static boolean isNonce(String nonce, long sent) {
    return sent != 0 && nonce.equals(Long.toString(sent));
  }

  /**
   * Whether a type's state in a new snapshot needs an answer, given the state the watch was last
   * answered from. The same state again changes nothing, so a type that did not change costs no
   * work per resource. An older one comes when a request was answered from a snapshot whose fan-out
   * has not reached this stream yet: answering from it would move the client backwards.
   */
  static boolean isNewer(ServedSnapshot.TypeState state, ServedSnapshot.TypeState answered) {
    return answered == null || state.version() > answered.version();
  }

  /** Remembers the snapshot a response was made from, for the order of the next push. */
  void saw(ServedSnapshot snapshot) {
    lastSnapshot = snapshot;
  }

  /** Tells the server of the client's rejection (the stream keeps it for the fleet view). */
  void nacked(Nack nack) {
    server.nacked(nodeId, nack);
  }

  /** Writes a type's response, or queues it in place of one not yet written. */
  void send(String type, A response) {
    if (unsent == null && !closed && out.isReady()) {
      out.onNext(response); // nothing waits before it: what drain would do, without a queue
      return;
    }
    if (unsent == null) {
      unsent = new LinkedHashMap<>();
    }
    unsent.remove(type);
    unsent.put(type, response);
  }

  synchronized void drain() {
    while (unsent != null && !closed && out.isReady()) {
      String type = unsent.keySet().iterator().next();
      out.onNext(unsent.remove(type));
      if (unsent.isEmpty()) {
        unsent = null;
      }
    }
  }

  /** This stream as a node of the fleet view, with what its types have and rejected. */
  NodeStatus status(Map<String, String> acked, Set<String> routes, List<Nack> nacks) {
    return new NodeStatus(
        nodeId,
        nodeCluster,
        1,
        connectedSince,
        acked,
        routes,
        nacks.stream().max(Comparator.comparing(Nack::at)));
  }

  /**
   * What the client has of one resource a node needs; {@code UNWATCHED} when this stream does not
   * carry its type. Called under the stream's lock.
   */
  abstract XdsStream.Holding holding(Needs.Need need, Needs needs, ServedSnapshot snapshot);

  /** The standing rejection of a type; null when there is none. */
  abstract Nack nack(String type);

  /**
   * The holding of a resource of a type this stream carries.
   *
   * @param subscribes whether the client asked for it (by name or wildcard)
   * @param routeAtVersion for the route configuration: whether the client ACKed a version at least
   *     the one that introduced the intent
   * @param held whether the client has it as served now
   * @param rejected whether the client rejected it as served now
   */
  static XdsStream.Holding holding(
      Needs.Need need, boolean subscribes, boolean routeAtVersion, boolean held, boolean rejected) {
    boolean route = need.type().equals(TypeUrls.ROUTE);
    if (!subscribes && (route || need.type().equals(TypeUrls.LISTENER))) {
      return XdsStream.Holding.UNWATCHED; // a node needs only the listeners and routes it asks for
    }
    if ((route && routeAtVersion) || held) {
      return XdsStream.Holding.HELD;
    }
    return rejected ? XdsStream.Holding.REJECTED : XdsStream.Holding.MISSING;
  }

  @Override
  public synchronized XdsStream.Probe probe(Needs needs, ServedSnapshot snapshot) {
    List<XdsStream.Holding> holdings = new ArrayList<>(needs.resources().size());
    List<Optional<Nack>> rejections = new ArrayList<>(needs.resources().size());
    for (Needs.Need need : needs.resources()) {
      XdsStream.Holding holding = holding(need, needs, snapshot);
      holdings.add(holding);
      rejections.add(
          holding == XdsStream.Holding.REJECTED
              ? Optional.ofNullable(nack(need.type()))
              : Optional.empty());
    }
    return new XdsStream.Probe(nodeId, holdings, rejections);
  }

  String nodeId() {
    return nodeId;
  }

  @Override
  public synchronized int unsentResponses() {
    return unsent == null ? 0 : unsent.size();
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
    unsent = null;
    server.disconnected(this);
  }
}
