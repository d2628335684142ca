package dev.meshroll.xds;

import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One connected xDS client node, as {@code meshroll xds nodes} shows it (like {@code istioctl
 * proxy-status}): all the streams that came with its node id.
 *
 * @param streams how many streams the node has open (one for ADS, one per type otherwise)
 * @param connectedSince when its oldest open stream connected
 * @param acked the version each type was last ACKed at (empty: never)
 * @param routes the route configurations it subscribes to
 * @param lastNack its latest rejection still standing: a later ACK of the same type clears it
 */
record NodeStatus(
    String id,
    String cluster,
    int streams,
    Instant connectedSince,
    Map<String, String> acked,
    Set<String> routes,
    Optional<Nack> lastNack) {

  NodeStatus {
    acked = Collections.unmodifiableMap(new TreeMap<>(acked));
    routes = Collections.unmodifiableSet(new TreeSet<>(routes));
  }

  /** The same node seen on one more stream. */
  NodeStatus with(NodeStatus other) {
    Map<String, String> types = new TreeMap<>(other.acked);
    types.putAll(acked);
    Set<String> names = new TreeSet<>(routes);
    names.addAll(other.routes);
    return new NodeStatus(
        id,
        cluster.isEmpty() ? other.cluster : cluster,
        streams + other.streams,
        connectedSince.isBefore(other.connectedSince) ? connectedSince : other.connectedSince,
        types,
        names,
        Stream.of(lastNack, other.lastNack)
            .flatMap(Optional::stream)
            .max(Comparator.comparing(Nack::at)));
  }
}
