package dev.meshroll.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.StreamObserver;
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
  /** What one type of this stream subscribes to and what the client has. */
  private static final class Watch {
    boolean wildcard;
    final Set<String> names = new HashSet<>();
    final Map<String, String> known = new HashMap<>();
    final Map<String, String> nacked = new HashMap<>();
    boolean subscribed;
    String inFlightNonce = "";
    Map<String, String> inFlight = Map.of();
    List<String> inFlightRemoved = List.of();
    long inFlightVersion;
    long ackedVersion;
    long nackedVersion;
    String nack = "";
  }

  private final Map<String, Watch> watches = new HashMap<>();

  /**
   * @param onlyType the type of a per-type service; null for ADS
   */
  DeltaStream(XdsServer server, StreamObserver<DeltaDiscoveryResponse> out, String onlyType) {
    super(server, out, onlyType);
  }

  @Override
  public synchronized void onNext(DeltaDiscoveryRequest request) {
    if (request.hasNode()) {
      node = request.getNode();
    }
    String type = typeOf(request.getTypeUrl());
    if (type == null) {
      return;
    }
    Watch watch = watches.get(type);
    if (watch == null) {
      watch = new Watch();
      watches.put(type, watch);
      // A first request that names nothing subscribes to everything of the type.
      watch.wildcard = request.getResourceNamesSubscribeCount() == 0;
      watch.known.putAll(request.getInitialResourceVersionsMap());
    }
    if (!request.getResponseNonce().isEmpty()
        && request.getResponseNonce().equals(watch.inFlightNonce)) {
      if (request.hasErrorDetail()) {
        watch.nacked.putAll(watch.inFlight);
        watch.nackedVersion = watch.inFlightVersion;
        watch.nack =
            TypeUrls.shortName(type)
                + " version "
                + server.snapshot().versionInfo(watch.inFlightVersion)
                + ": "
                + request.getErrorDetail().getMessage();
        server.nacked(this, watch.nack);
      } else {
        watch.known.putAll(watch.inFlight);
        watch.inFlightRemoved.forEach(watch.known::remove);
        watch.ackedVersion = watch.inFlightVersion;
      }
      watch.inFlightNonce = "";
    }
    for (String name : request.getResourceNamesSubscribeList()) {
      if (name.equals("*")) {
        watch.wildcard = true;
      } else {
        watch.names.add(name);
      }
    }
    for (String name : request.getResourceNamesUnsubscribeList()) {
      if (name.equals("*")) {
        watch.wildcard = false;
      } else {
        watch.names.remove(name);
        watch.known.remove(name);
      }
    }
    watch.subscribed = true;
    respond(type, watch, server.snapshot());
    drain();
  }

  @Override
  public synchronized void onSnapshot(ServedSnapshot snapshot) {
    if (closed) {
      return;
    }
    for (String type : order(snapshot)) {
      Watch watch = watches.get(type);
      if (watch != null && watch.subscribed) {
        respond(type, watch, snapshot);
      }
    }
    drain();
  }

  private void respond(String type, Watch watch, ServedSnapshot snapshot) {
    saw(snapshot);
    if (!watch.inFlightNonce.isEmpty()) {
      return; // the answer to the response in flight brings this type back here
    }
    ServedSnapshot.TypeState state = snapshot.type(type);
    Map<String, Any> changed = new TreeMap<>();
    Map<String, String> versions = new HashMap<>();
    for (Map.Entry<String, Any> resource : state.resources().entrySet()) {
      String name = resource.getKey();
      String version = state.versions().get(name);
      boolean wanted = watch.wildcard || watch.names.contains(name);
      if (wanted
          && !version.equals(watch.known.get(name))
          && !version.equals(watch.nacked.get(name))) {
        changed.put(name, resource.getValue());
        versions.put(name, version);
      }
    }
    List<String> removed = new ArrayList<>();
    for (String name : watch.known.keySet()) {
      if (!state.resources().containsKey(name)) {
        removed.add(name);
      }
    }
    if (changed.isEmpty() && removed.isEmpty()) {
      watch.ackedVersion = Math.max(watch.ackedVersion, state.version()); // it has all there is
      return;
    }
    String nonce = nextNonce();
    DeltaDiscoveryResponse.Builder response =
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setSystemVersionInfo(snapshot.versionInfo(type))
            .setNonce(nonce)
            .addAllRemovedResources(removed);
    changed.forEach(
        (name, resource) ->
            response.addResources(
                Resource.newBuilder()
                    .setName(name)
                    .setVersion(versions.get(name))
                    .setResource(resource)));
    watch.inFlightNonce = nonce;
    watch.inFlight = versions;
    watch.inFlightRemoved = removed;
    watch.inFlightVersion = state.version();
    send(type, response.build());
  }

  @Override
  public synchronized NodeStatus status() {
    Map<String, String> acked = new TreeMap<>();
    String lastNack = "";
    ServedSnapshot snapshot = server.snapshot();
    for (Map.Entry<String, Watch> watch : watches.entrySet()) {
      acked.put(
          TypeUrls.shortName(watch.getKey()), snapshot.versionInfo(watch.getValue().ackedVersion));
      if (!watch.getValue().nack.isEmpty()) {
        lastNack = watch.getValue().nack;
      }
    }
    return status(acked, lastNack);
  }

  @Override
  public synchronized Optional<RouteState> routeState(String name, ServedSnapshot snapshot) {
    Watch watch = watches.get(TypeUrls.ROUTE);
    if (watch == null || !watch.subscribed || !(watch.wildcard || watch.names.contains(name))) {
      return Optional.empty();
    }
    return Optional.of(
        new RouteState(node.getId(), watch.ackedVersion, watch.nackedVersion, watch.nack));
  }
}
