package dev.meshroll.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One state-of-the-world xDS stream: aggregated (ADS, every type) or for one type (LDS, RDS, CDS,
 * EDS). Tells ACKs from NACKs by nonce, pushes a type only when what this client subscribed to
 * changed, holds back a version the client rejected, and writes only when gRPC's flow control says
 * the client reads: at most one unsent response per type waits, so a client that never reads costs
 * four responses, not a queue.
 *
 * <p>Every method is synchronized: requests arrive on gRPC's threads and snapshots on the server's
 * fan-out thread, and the per-type state must change as one.
 */
final class AdsStream extends StreamBase<DiscoveryRequest, DiscoveryResponse> {
  /**
   * What one type of this stream has subscribed to, sent, and had acknowledged. The names
   * (interned) and the map sent are the ones every stream asking for the same names holds.
   */
  private static final class Watch {
    Set<String> names = Set.of();
    boolean subscribed;
    // The type's state this watch was last answered from (see isNewer).
    ServedSnapshot.TypeState answered;
    String sentVersion = "";
    long sentNonce;
    Map<String, Any> sent = Map.of();
    String ackedVersion = "";
    String nackedVersion = "";
    String nack = "";
  }

  private final Watch[] watches = new Watch[TypeUrls.ADD_ORDER.size()];

  /**
   * @param onlyType the type of a per-type service; null for ADS
   */
  AdsStream(XdsServer server, StreamObserver<DiscoveryResponse> out, String onlyType) {
    super(server, out, onlyType);
  }

  @Override
  public synchronized void onNext(DiscoveryRequest request) {
    if (request.hasNode()) {
      identify(request.getNode());
    }
    String type = typeOf(request.getTypeUrl());
    if (type == null) {
      return; // a type this server does not serve: answering nothing is what the protocol allows
    }
    int index = TypeUrls.index(type);
    if (watches[index] == null) {
      watches[index] = new Watch();
    }
    Watch watch = watches[index];
    if (!request.getResponseNonce().isEmpty()) {
      if (!isNonce(request.getResponseNonce(), watch.sentNonce)) {
        return; // about a response that a newer one has replaced: ignore it
      }
      if (request.hasErrorDetail()) {
        watch.nackedVersion = watch.sentVersion;
        watch.nack =
            TypeUrls.shortName(type)
                + " version "
                + watch.sentVersion
                + ": "
                + request.getErrorDetail().getMessage();
        nacked(watch.nack);
      } else {
        watch.ackedVersion = ours(request.getVersionInfo(), watch.sentVersion);
        watch.nackedVersion = "";
      }
    } else if (!request.getVersionInfo().isEmpty()) {
      // A reconnecting client says what it has: when that is current, there is nothing to push.
      String version = ours(request.getVersionInfo(), server.snapshot().versionInfo(type));
      watch.ackedVersion = version;
      watch.sentVersion = version;
      watch.sent = null;
    }
    Set<String> names = Set.copyOf(request.getResourceNamesList());
    if (!names.equals(watch.names)) {
      watch.names = NAMES.intern(names);
    }
    watch.subscribed = true;
    respond(type, watch, server.snapshot(), true);
    drain();
  }

  /** The server's own copy of a version a client sent back, so that streams share one string. */
  private static String ours(String received, String sent) {
    return received.equals(sent) ? sent : received;
  }

  /** A new snapshot: pushes what changed for this stream, in an order safe for the client. */
  @Override
  public synchronized void onSnapshot(Publication publication) {
    if (closed) {
      return;
    }
    ServedSnapshot snapshot = publication.snapshot();
    for (String type : order(publication)) {
      Watch watch = watches[TypeUrls.index(type)];
      if (watch != null && watch.subscribed && isNewer(snapshot.type(type), watch.answered)) {
        respond(type, watch, snapshot, false);
      }
    }
    drain();
  }

  private void respond(String type, Watch watch, ServedSnapshot snapshot, boolean request) {
    saw(snapshot);
    ServedSnapshot.TypeState state = snapshot.type(type);
    watch.answered = state;
    String version = state.versionInfo();
    if (version.equals(watch.nackedVersion)) {
      return; // the client rejected exactly this: resending it would only be rejected again
    }
    Map<String, Any> resources = state.subscribed(watch.names);
    boolean known =
        version.equals(watch.sentVersion) && (watch.sent == null || watch.sent.equals(resources));
    boolean unchanged = resources.equals(watch.sent) && !request;
    if (known || unchanged) {
      if (watch.ackedVersion.equals(watch.sentVersion) && watch.sent != null) {
        // Nothing this client sees changed: its acknowledged content is as good as the new version.
        watch.sentVersion = version;
        watch.ackedVersion = version;
      }
      return;
    }
    long nonce = nextNonce();
    DiscoveryResponse response =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setVersionInfo(version)
            .setNonce(Long.toString(nonce))
            .addAllResources(resources.values())
            .build();
    watch.sentVersion = version;
    watch.sentNonce = nonce;
    watch.sent = resources;
    send(type, response);
  }

  @Override
  public synchronized NodeStatus status() {
    Map<String, String> acked = new TreeMap<>();
    for (int index = 0; index < watches.length; index++) {
      if (watches[index] != null) {
        acked.put(TypeUrls.shortName(TypeUrls.ADD_ORDER.get(index)), watches[index].ackedVersion);
      }
    }
    return status(acked);
  }

  @Override
  public synchronized Optional<RouteState> routeState(String name, ServedSnapshot snapshot) {
    Watch watch = watches[TypeUrls.index(TypeUrls.ROUTE)];
    if (watch == null
        || !watch.subscribed
        || !(watch.names.isEmpty() || watch.names.contains(name))) {
      return Optional.empty();
    }
    return Optional.of(
        new RouteState(
            nodeId(),
            snapshot.versionNumber(watch.ackedVersion),
            snapshot.versionNumber(watch.nackedVersion),
            watch.nack));
  }
}
