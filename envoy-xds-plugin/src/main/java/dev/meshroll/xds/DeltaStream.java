package dev.meshroll.xds;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One incremental (delta) xDS stream: aggregated or for one type. The client says what it
 * subscribes to and, on reconnecting, which versions it has; each response carries only the
 * resources whose version the client lacks, and the names of those gone. One response per type is
 * in flight at a time: the next waits for its ACK or NACK, which is also what keeps a slow client's
 * cost to one response per type. A NACKed resource version is held back until it changes.
 *
 * <p>Every method is synchronized, as in {@link AdsStream}.
 */
final class DeltaStream extends StreamBase<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  /**
   * What one type of this stream subscribes to and what the client has. The maps and sets are
   * immutable and interned: streams in step share them.
   */
  private static final class Watch {
    boolean wildcard;
    Set<String> names = Set.of();
    Map<String, String> held = Map.of();
    Map<String, String> rejected = Map.of();
    boolean subscribed;
    // The type's state this watch was last answered from (see isNewer).
    ServedSnapshot.TypeState answered;
    long inFlightNonce;
    ServedSnapshot.Changes inFlight;
    Map<String, String> heldWhenSent;
    long inFlightVersion;
    long ackedVersion;
    long nackedVersion;
    String nack = "";
  }

  private final Watch[] watches = new Watch[TypeUrls.ADD_ORDER.size()];

  /**
   * @param onlyType the type of a per-type service; null for ADS
   */
  DeltaStream(XdsServer server, StreamObserver<DeltaDiscoveryResponse> out, String onlyType) {
    super(server, out, onlyType);
  }

  @Override
  public synchronized void onNext(DeltaDiscoveryRequest request) {
    if (request.hasNode()) {
      identify(request.getNode());
    }
    String type = typeOf(request.getTypeUrl());
    if (type == null) {
      return;
    }
    int index = TypeUrls.index(type);
    Watch watch = watches[index];
    if (watch == null) {
      watch = new Watch();
      watches[index] = watch;
      // A first request that names nothing subscribes to everything of the type.
      watch.wildcard = request.getResourceNamesSubscribeCount() == 0;
      watch.held = ServedSnapshot.held(request.getInitialResourceVersionsMap());
    }
    if (isNonce(request.getResponseNonce(), watch.inFlightNonce)) {
      List<Resource> sent = watch.inFlight.resources();
      if (request.hasErrorDetail()) {
        watch.rejected = ServedSnapshot.Changes.with(watch.rejected, sent, List.of());
        watch.nackedVersion = watch.inFlightVersion;
        watch.nack =
            TypeUrls.shortName(type)
                + " version "
                + server.snapshot().versionInfo(watch.inFlightVersion)
                + ": "
                + request.getErrorDetail().getMessage();
        nacked(watch.nack);
      } else {
        watch.held =
            watch.held == watch.heldWhenSent
                ? watch.inFlight.heldAfter()
                : ServedSnapshot.Changes.with(watch.held, sent, watch.inFlight.removed());
        watch.ackedVersion = watch.inFlightVersion;
      }
      watch.inFlightNonce = 0;
      watch.inFlight = null;
      watch.heldWhenSent = null;
    }
    subscribe(watch, request);
    watch.subscribed = true;
    respond(type, watch, server.snapshot());
    drain();
  }

  /** Applies a request's subscribe and unsubscribe lists; a name the client drops is not held. */
  private static void subscribe(Watch watch, DeltaDiscoveryRequest request) {
    if (request.getResourceNamesSubscribeCount() == 0
        && request.getResourceNamesUnsubscribeCount() == 0) {
      return;
    }
    Set<String> names = new HashSet<>(watch.names);
    Map<String, String> held = new HashMap<>(watch.held);
    for (String name : request.getResourceNamesSubscribeList()) {
      if (name.equals("*")) {
        watch.wildcard = true;
      } else {
        names.add(name);
      }
    }
    for (String name : request.getResourceNamesUnsubscribeList()) {
      if (name.equals("*")) {
        watch.wildcard = false;
      } else {
        names.remove(name);
        held.remove(name);
      }
    }
    if (!names.equals(watch.names)) {
      watch.names = NAMES.intern(Set.copyOf(names));
    }
    if (held.size() != watch.held.size()) {
      watch.held = ServedSnapshot.held(held);
    }
  }

  @Override
  public synchronized void onSnapshot(Publication publication) {
    if (closed) {
      return;
    }
    ServedSnapshot snapshot = publication.snapshot();
    for (String type : order(publication)) {
      Watch watch = watches[TypeUrls.index(type)];
      if (watch != null && watch.subscribed && isNewer(snapshot.type(type), watch.answered)) {
        respond(type, watch, snapshot);
      }
    }
    drain();
  }

  private void respond(String type, Watch watch, ServedSnapshot snapshot) {
    saw(snapshot);
    ServedSnapshot.TypeState state = snapshot.type(type);
    watch.answered = state;
    if (watch.inFlightNonce != 0) {
      return; // the answer to the response in flight brings this type back here
    }
    ServedSnapshot.Changes changes =
        watch.rejected.isEmpty()
            ? state.changesFor(watch.held, watch.wildcard, watch.names)
            : ServedSnapshot.Changes.of(
                state, watch.held, watch.rejected, watch.wildcard, watch.names);
    if (changes.isEmpty()) {
      watch.ackedVersion = Math.max(watch.ackedVersion, state.version()); // it has all there is
      return;
    }
    long nonce = nextNonce();
    DeltaDiscoveryResponse response =
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setSystemVersionInfo(state.versionInfo())
            .setNonce(Long.toString(nonce))
            .addAllRemovedResources(changes.removed())
            .addAllResources(changes.resources())
            .build();
    watch.inFlightNonce = nonce;
    watch.inFlight = changes;
    watch.heldWhenSent = watch.held;
    watch.inFlightVersion = state.version();
    send(type, response);
  }

  @Override
  public synchronized NodeStatus status() {
    Map<String, String> acked = new TreeMap<>();
    ServedSnapshot snapshot = server.snapshot();
    for (int index = 0; index < watches.length; index++) {
      if (watches[index] != null) {
        acked.put(
            TypeUrls.shortName(TypeUrls.ADD_ORDER.get(index)),
            snapshot.versionInfo(watches[index].ackedVersion));
      }
    }
    return status(acked);
  }

  @Override
  public synchronized Optional<RouteState> routeState(String name, ServedSnapshot snapshot) {
    Watch watch = watches[TypeUrls.index(TypeUrls.ROUTE)];
    if (watch == null || !watch.subscribed || !(watch.wildcard || watch.names.contains(name))) {
      return Optional.empty();
    }
    return Optional.of(
        new RouteState(nodeId(), watch.ackedVersion, watch.nackedVersion, watch.nack));
  }
}
