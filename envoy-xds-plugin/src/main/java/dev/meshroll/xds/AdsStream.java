package dev.meshroll.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
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
  /** What one type of this stream has subscribed to, sent, and had acknowledged. */
  private static final class Watch {
    Set<String> names = Set.of();
    boolean subscribed;
    String sentVersion = "";
    String sentNonce = "";
    Map<String, Any> sent = Map.of();
    String ackedVersion = "";
    String nackedVersion = "";
    String nack = "";
  }

  private final Map<String, Watch> watches = new HashMap<>();

  /**
   * @param onlyType the type of a per-type service; null for ADS
   */
  AdsStream(XdsServer server, StreamObserver<DiscoveryResponse> out, String onlyType) {
    super(server, out, onlyType);
  }

  @Override
  public synchronized void onNext(DiscoveryRequest request) {
    if (request.hasNode()) {
      node = request.getNode();
    }
    String type = typeOf(request.getTypeUrl());
    if (type == null) {
      return; // a type this server does not serve: answering nothing is what the protocol allows
    }
    Watch watch = watches.computeIfAbsent(type, key -> new Watch());
    if (!request.getResponseNonce().isEmpty()) {
      if (!request.getResponseNonce().equals(watch.sentNonce)) {
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
        server.nacked(this, watch.nack);
      } else {
        watch.ackedVersion = request.getVersionInfo();
        watch.nackedVersion = "";
      }
    } else if (!request.getVersionInfo().isEmpty()) {
      // A reconnecting client says what it has: when that is current, there is nothing to push.
      watch.ackedVersion = request.getVersionInfo();
      watch.sentVersion = request.getVersionInfo();
      watch.sent = null;
    }
    watch.names = Set.copyOf(request.getResourceNamesList());
    watch.subscribed = true;
    respond(type, watch, server.snapshot(), true);
    drain();
  }

  /** A new snapshot: pushes what changed for this stream, in an order safe for the client. */
  @Override
  public synchronized void onSnapshot(ServedSnapshot snapshot) {
    if (closed) {
      return;
    }
    for (String type : order(snapshot)) {
      Watch watch = watches.get(type);
      if (watch != null && watch.subscribed) {
        respond(type, watch, snapshot, false);
      }
    }
    drain();
  }

  private void respond(String type, Watch watch, ServedSnapshot snapshot, boolean request) {
    saw(snapshot);
    String version = snapshot.versionInfo(type);
    Map<String, Any> resources = subscribed(snapshot.type(type).resources(), watch.names);
    if (version.equals(watch.nackedVersion)) {
      return; // the client rejected exactly this: resending it would only be rejected again
    }
    boolean known =
        version.equals(watch.sentVersion) && (watch.sent == null || watch.sent.equals(resources));
    boolean unchanged = resources.equals(watch.sent) && !request;
    if (known || unchanged) {
      if (watch.ackedVersion.equals(watch.sentVersion) && watch.sent != null) {
        // Nothing this client sees changed: its acknowledged content is as good as the new version.
        watch.sentVersion = version;
        watch.ackedVersion = version;
      }
      if (known) {
        return;
      }
      if (unchanged) {
        return;
      }
    }
    String nonce = nextNonce();
    DiscoveryResponse response =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setVersionInfo(version)
            .setNonce(nonce)
            .addAllResources(resources.values())
            .build();
    watch.sentVersion = version;
    watch.sentNonce = nonce;
    watch.sent = resources;
    send(type, response);
  }

  private static Map<String, Any> subscribed(SortedMap<String, Any> all, Set<String> names) {
    if (names.isEmpty() || names.contains("*")) {
      return all;
    }
    Map<String, Any> some = new TreeMap<>();
    names.forEach(
        name -> {
          Any resource = all.get(name);
          if (resource != null) {
            some.put(name, resource);
          }
        });
    return some;
  }

  @Override
  public synchronized NodeStatus status() {
    Map<String, String> acked = new TreeMap<>();
    String lastNack = "";
    for (Map.Entry<String, Watch> watch : watches.entrySet()) {
      acked.put(TypeUrls.shortName(watch.getKey()), watch.getValue().ackedVersion);
      if (!watch.getValue().nack.isEmpty()) {
        lastNack = watch.getValue().nack;
      }
    }
    return status(acked, lastNack);
  }

  @Override
  public synchronized Optional<RouteState> routeState(String name, ServedSnapshot snapshot) {
    Watch watch = watches.get(TypeUrls.ROUTE);
    if (watch == null
        || !watch.subscribed
        || !(watch.names.isEmpty() || watch.names.contains(name))) {
      return Optional.empty();
    }
    return Optional.of(
        new RouteState(
            node.getId(),
            snapshot.versionNumber(watch.ackedVersion),
            snapshot.versionNumber(watch.nackedVersion),
            watch.nack));
  }
}
