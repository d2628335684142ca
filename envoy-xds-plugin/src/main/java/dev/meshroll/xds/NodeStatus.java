package dev.meshroll.xds;

import java.time.Instant;
import java.util.Map;

/**
 * One connected xDS client, as {@code meshroll xds nodes} shows it (like {@code istioctl
 * proxy-status}).
 *
 * @param acked the version each type was last ACKed at
 * @param lastNack the last rejection, with the client's own words; empty when none
 */
record NodeStatus(
    String id,
    String cluster,
    Instant connectedSince,
    Map<String, String> acked,
    String lastNack) {}
