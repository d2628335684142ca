package dev.meshroll.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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
   * (interned) and the maps sent and held are the ones every stream asking for the same names
   * holds.
   */
  private static final class Watch {
    Set<String> names = Set.of();
    boolean wildcard;
    // Whether the client ever named resources of the type: after that, no names means none.
    boolean named;
    boolean subscribed;
    // The type's state this watch was last answered from (see isNewer).
    ServedSnapshot.TypeState answered;
    String sentVersion = "";
    long sentNonce;
    Map<String, Any> sent = Map.of();
    String ackedVersion = "";
    // What the client has, by what it acknowledged: the map of the response it ACKed, or after a
    // NACK the resources it kept (see Nacks).
    Map<String, Any> held = Map.of();
    Map<String, Any> rejected = Map.of();
    String nackedVersion = "";
    Nack nack;
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
    // A version_info without a nonce (a reconnecting client's claim) is not an acknowledgement:
    // only what this stream sent, named by its nonce, counts; the client gets the current state.
    String nonce = request.getResponseNonce();
    boolean stale = !nonce.isEmpty() && !isNonce(nonce, watch.sentNonce);
    if (!nonce.isEmpty() && !stale) {
      if (request.hasErrorDetail()) {
        rejected(type, watch, request.getErrorDetail().getMessage());
      } else {
        watch.ackedVersion = watch.sentVersion;
        watch.held = watch.sent;
        watch.rejected = Map.of();
        watch.nackedVersion = "";
        watch.nack = null;
      }
    }
    Set<String> names = watch.names;
    boolean wildcard = watch.wildcard;
    subscribe(type, watch, request.getResourceNamesList());
    if (stale && names == watch.names && wildcard == watch.wildcard) {
      // About a response a newer one has replaced, asking nothing new: ignore it. (A changed
      // subscription still counts: grpc-js sends one with the nonce it last answered.)
      return;
    }
    watch.subscribed = true;
    respond(type, watch, server.snapshot(), true);
    drain();
  }

  /**
   * The client rejected the response last sent: it keeps what it had of the resources it names and
   * takes the others (gRFC A46, as Envoy does); naming none, it rejected every change.
   */
  private void rejected(String type, Watch watch, String message) {
    // The response carried the resources in the order of the (sorted) map it was made from.
    Set<String> named = Nacks.named(message, List.copyOf(watch.sent.keySet()));
    // Listeners and clusters come as the whole state: what a response leaves out, the client drops.
    Map<String, Any> held =
        TypeUrls.hasWildcard(type) ? new HashMap<>() : new HashMap<>(watch.held);
    Map<String, Any> rejected = new HashMap<>();
    watch.sent.forEach(
        (name, resource) -> {
          Any had = watch.held.get(name);
          boolean refused = named.isEmpty() ? !resource.equals(had) : named.contains(name);
          if (refused) {
            rejected.put(name, resource);
            if (had != null) {
              held.put(name, had);
            }
          } else {
            held.put(name, resource);
          }
        });
    watch.held = Map.copyOf(held);
    watch.rejected = Map.copyOf(rejected);
    watch.nackedVersion = watch.sentVersion;
    watch.nack = new Nack(type, watch.sentVersion, rejected.keySet(), message, Instant.now());
    nacked(watch.nack);
  }

  /** Reads a request's names: listeners and clusters have a wildcard, routes and endpoints none. */
  private static void subscribe(String type, Watch watch, List<String> requested) {
    Set<String> names = new HashSet<>(requested);
    boolean star = names.remove("*") && TypeUrls.hasWildcard(type);
    watch.named |= !names.isEmpty();
    watch.wildcard = TypeUrls.hasWildcard(type) && (star || !watch.named);
    if (!names.equals(watch.names)) {
      watch.names = NAMES.intern(Set.copyOf(names));
    }
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
    if (!watch.wildcard && watch.names.isEmpty()) {
      return; // subscribed to nothing: there is nothing to send
    }
    Map<String, Any> resources = state.subscribed(watch.names, watch.wildcard);
    boolean known = version.equals(watch.sentVersion) && watch.sent.equals(resources);
    boolean unchanged = resources.equals(watch.sent) && !request;
    if (known || unchanged) {
      if (watch.ackedVersion.equals(watch.sentVersion) && !watch.sentVersion.isEmpty()) {
        // Nothing this client sees changed: its acknowledged content is as good as the new version.
        watch.sentVersion = version;
        watch.ackedVersion = version;
        watch.sent = resources;
        watch.held = resources;
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
    List<Nack> nacks = new ArrayList<>();
    Set<String> routes = Set.of();
    for (int index = 0; index < watches.length; index++) {
      Watch watch = watches[index];
      if (watch != null) {
        acked.put(TypeUrls.shortName(TypeUrls.ADD_ORDER.get(index)), watch.ackedVersion);
        Optional.ofNullable(watch.nack).ifPresent(nacks::add);
      }
    }
    Watch routeWatch = watches[TypeUrls.index(TypeUrls.ROUTE)];
    if (routeWatch != null && routeWatch.subscribed) {
      routes = routeWatch.names;
    }
    return status(acked, routes, nacks);
  }

  @Override
  Holding holding(Needs.Need need, Needs needs, ServedSnapshot snapshot) {
    Watch watch = watches[TypeUrls.index(need.type())];
    if (watch == null || !watch.subscribed) {
      return Holding.UNWATCHED;
    }
    Any current = snapshot.type(need.type()).resources().get(need.name());
    return holding(
        need,
        watch.wildcard || watch.names.contains(need.name()),
        snapshot.versionNumber(watch.ackedVersion) >= needs.routeVersion(),
        current != null && current.equals(watch.held.get(need.name())),
        current != null && current.equals(watch.rejected.get(need.name())) && watch.nack != null);
  }

  @Override
  Nack nack(String type) {
    Watch watch = watches[TypeUrls.index(type)];
    return watch == null ? null : watch.nack;
  }
}
