package dev.meshroll.xds;

import java.util.List;
import java.util.Optional;

/** One client stream, state of the world or incremental, as the server sees it. */
interface XdsStream {
  /**
   * A snapshot as the server hands it to every stream: with the one it replaced, and whether it
   * removes clusters that one had, worked out once for all streams.
   */
  record Publication(ServedSnapshot snapshot, ServedSnapshot previous, boolean removesClusters) {}

  /** What one resource a node needs is to the client of one stream. */
  enum Holding {
    /** This stream does not serve the client that kind of resource (another stream may). */
    UNWATCHED,
    /** The client has the resource as it is served now (or, for routes, at a newer version). */
    HELD,
    /** The client has not (yet) received and acknowledged it. */
    MISSING,
    /** The client rejected the resource as it is served now. */
    REJECTED
  }

  /**
   * One stream's answer for the resources of a {@link Needs}, in its order; {@code rejections}
   * holds the client's NACK where a holding is {@code REJECTED}.
   */
  record Probe(String node, List<Holding> holdings, List<Optional<Nack>> rejections) {}

  /** A new snapshot: push what changed for this stream. */
  void onSnapshot(Publication publication);

  /** This stream's node, for the fleet view. */
  NodeStatus status();

  /** What this stream's client has of each resource {@code needs} names, under one lock. */
  Probe probe(Needs needs, ServedSnapshot snapshot);

  /** Responses waiting for the client to read: at most one per type. */
  int unsentResponses();
}
