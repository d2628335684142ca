package dev.meshroll.xds;

/**
 * What one client has of a route configuration: the type version it ACKed and the one it NACKed (0
 * for none), in this server run's numbering, and the NACK's words.
 */
record RouteState(String node, long acked, long nacked, String nack) {}
