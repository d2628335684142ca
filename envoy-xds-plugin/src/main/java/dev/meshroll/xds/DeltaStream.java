package dev.meshroll.xds;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
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
    Nack nack;
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
      // A first request that names nothing subscribes to every listener or cluster; for routes and
      // endpoints it subscribes to none.
      watch.wildcard = TypeUrls.hasWildcard(type) && request.getResourceNamesSubscribeCount() == 0;
      watch.held = ServedSnapshot.held(request.getInitialResourceVersionsMap());
    }
    if (isNonce(request.getResponseNonce(), watch.inFlightNonce)) {
      if (request.hasErrorDetail()) {
        rejected(type, watch, request.getErrorDetail().getMessage());
      } else {
        List<Resource> sent = watch.inFlight.resources();
        watch.held =
            watch.held == watch.heldWhenSent
                ? watch.inFlight.heldAfter()
                : ServedSnapshot.Changes.with(watch.held, sent, watch.inFlight.removed());
        watch.ackedVersion = watch.inFlightVersion;
        watch.nack = null;
      }
      watch.inFlightNonce = 0;
      watch.inFlight = null;
      watch.heldWhenSent = null;
    }
    subscribe(type, watch, request);
    watch.subscribed = true;
    respond(type, watch, server.snapshot());
    drain();
  }

  /**
   * The client rejected the response in flight: the resources its message names (all of them when
   * it names none) are held back until they change; it keeps the others (gRFC A46, see Nacks).
   */
  private void rejected(String type, Watch watch, String message) {
    List<Resource> sent = watch.inFlight.resources();
    Set<String> named = Nacks.named(message, sent.stream().map(Resource::getName).toList());
    List<Resource> refused = new ArrayList<>();
    List<Resource> kept = new ArrayList<>();
    for (Resource resource : sent) {
      (named.isEmpty() || named.contains(resource.getName()) ? refused : kept).add(resource);
    }
    watch.rejected = ServedSnapshot.Changes.with(watch.rejected, refused, List.of());
    if (!kept.isEmpty()) {
      watch.held = ServedSnapshot.Changes.with(watch.held, kept, List.of());
    }
    watch.nack =
        new Nack(
            type,
            server.snapshot().versionInfo(watch.inFlightVersion),
            refused.stream().map(Resource::getName).collect(java.util.stream.Collectors.toSet()),
            message,
            Instant.now());
    nacked(watch.nack);
  }

  /** Applies a request's subscribe and unsubscribe lists; a name the client drops is not held. */
  private void subscribe(String type, Watch watch, DeltaDiscoveryRequest request) {
    if (request.getResourceNamesSubscribeCount() == 0
        && request.getResourceNamesUnsubscribeCount() == 0) {
      return;
    }
    Set<String> names = new HashSet<>(watch.names);
    Map<String, String> held = new HashMap<>(watch.held);
    boolean star = TypeUrls.hasWildcard(type);
    for (String name : request.getResourceNamesSubscribeList()) {
      if (star && name.equals("*")) {
        watch.wildcard = true;
      } else {
        names.add(name);
      }
    }
    for (String name : request.getResourceNamesUnsubscribeList()) {
      if (star && name.equals("*")) {
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
    List<Nack> nacks = new ArrayList<>();
    ServedSnapshot snapshot = server.snapshot();
    for (int index = 0; index < watches.length; index++) {
      Watch watch = watches[index];
      if (watch != null) {
        acked.put(
            TypeUrls.shortName(TypeUrls.ADD_ORDER.get(index)),
            watch.ackedVersion == 0 ? "" : snapshot.versionInfo(watch.ackedVersion));
        Optional.ofNullable(watch.nack).ifPresent(nacks::add);
      }
    }
    Watch routeWatch = watches[TypeUrls.index(TypeUrls.ROUTE)];
    Set<String> routes = routeWatch != null && routeWatch.subscribed ? routeWatch.names : Set.of();
    return status(acked, routes, nacks);
  }

  @Override
  Holding holding(Needs.Need need, Needs needs, ServedSnapshot snapshot) {
    Watch watch = watches[TypeUrls.index(need.type())];
    if (watch == null || !watch.subscribed) {
      return Holding.UNWATCHED;
    }
    String current = snapshot.type(need.type()).versions().get(need.name());
    return holding(
        need,
        watch.wildcard || watch.names.contains(need.name()),
        watch.ackedVersion >= needs.routeVersion(),
        current != null && current.equals(watch.held.get(need.name())),
        current != null && current.equals(watch.rejected.get(need.name())) && watch.nack != null);
  }

  @Override
  Nack nack(String type) {
    Watch watch = watches[TypeUrls.index(type)];
    return watch == null ? null : watch.nack;
  }
}
