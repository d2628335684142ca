package dev.meshroll.xds;

import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A client's rejection of one response: which resources it rejected, in its own words.
 *
 * @param type the response's type URL
 * @param version the version the response carried
 * @param rejected the names of the resources the client rejected (see {@link Nacks})
 * @param message the client's {@code error_detail} message
 * @param at when the server received it
 */
record Nack(String type, String version, Set<String> rejected, String message, Instant at) {
  Nack {
    rejected = Set.copyOf(rejected);
  }

  /** {@code Cluster 'reviews-v2' (version mx6dqtnj-3): <the client's message>}. */
  @Override
  public String toString() {
    String names =
        rejected.stream().sorted().map(name -> "'" + name + "'").collect(Collectors.joining(", "));
    return TypeUrls.shortName(type)
        + (names.isEmpty() ? "" : " " + names)
        + " (version "
        + version
        + "): "
        + message;
  }
}
