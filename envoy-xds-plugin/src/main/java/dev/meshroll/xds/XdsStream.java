package dev.meshroll.xds;

import java.util.Optional;

/** One client stream, state of the world or incremental, as the server sees it. */
interface XdsStream {
  /**
   * A snapshot as the server hands it to every stream: with the one it replaced, and whether it
   * removes clusters that one had, worked out once for all streams.
   */
  record Publication(ServedSnapshot snapshot, ServedSnapshot previous, boolean removesClusters) {}

  /** A new snapshot: push what changed for this stream. */
  void onSnapshot(Publication publication);

  /** This stream's node, for the fleet view. */
  NodeStatus status();

  /**
   * What this client has of route configuration {@code name}; empty when it does not subscribe to
   * it.
   */
  Optional<RouteState> routeState(String name, ServedSnapshot snapshot);

  /** Responses waiting for the client to read: at most one per type. */
  int unsentResponses();
}
