/**
 * The contract between the Meshroll host and its plugins.
 *
 * <p>The host runs the rollout; it describes the traffic it wants as a {@link
 * dev.meshroll.api.RouteIntent} and hands it to each {@link dev.meshroll.api.TrafficRouter} of the
 * rollout, which makes one mesh match it. Analysis back-ends beyond the built-ins are {@link
 * dev.meshroll.api.MetricProvider}s. Every value crossing the boundary is an immutable record of
 * plain JDK types (configs are {@code Map}/{@code List}/{@code String}/{@code Number}/{@code
 * Boolean} trees), so that a plugin can bind them with whatever library it bundles.
 *
 * <p>Plugins declare this module and PF4J {@code provided}: the host supplies them, and a second
 * copy inside a plugin would make the JVM see two different classes.
 */
package dev.meshroll.api;
