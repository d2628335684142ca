package dev.meshroll.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.ExtensionPoint;

/**
 * Makes one mesh serve the traffic a rollout asks for. The host says <em>what</em> traffic should
 * look like as a {@link RouteIntent}; each router decides <em>how</em>, and all look alike to the
 * host.
 *
 * <p>What an implementation must guarantee:
 *
 * <ul>
 *   <li>Every method may be called from any host thread, for many rollouts at once, but never twice
 *       at once for the same rollout. The host bounds each call with a timeout and treats a call
 *       that throws or runs late as a failure of that rollout's step only.
 *   <li>{@link #apply} is idempotent desired state: it writes only what differs, touches only what
 *       it manages (the weights of the configured routes and the managed routes by name), and keeps
 *       everything else of the user's objects as found.
 *   <li>{@link #render} is pure (no client, no clock, no logging): given the same intent and
 *       objects it returns the same objects. {@link #apply} writes what it renders from the live
 *       objects, and {@code meshroll plan} prints what it renders from files.
 *   <li>Bad config is reported by {@link #validate}, all problems at once, before anything is
 *       applied; a missing capability is reported by {@link #capabilities}, never ignored.
 * </ul>
 */
public interface TrafficRouter extends ExtensionPoint {

  /** The router's key under {@code trafficRouting} in a rollout spec, e.g. {@code istio}. */
  String id();

  /**
   * Called once by the host before any other call but {@link #id()} and {@link #capabilities()},
   * with the router's settings block from the host config ({@code plugins: {istio: {...}}} in
   * host.yaml; empty when there is none). A router that serves or connects to something starts here
   * (an xDS server listens, a Kubernetes client connects).
   *
   * @param settings the settings block, as parsed from YAML
   * @param configDirectory the folder of the host config: relative paths in {@code settings} are
   *     relative to it
   * @throws RouterException when the settings are wrong or what they name cannot be reached; the
   *     host reports it and leaves this router out
   */
  default void start(Map<String, Object> settings, Path configDirectory) throws RouterException {}

  /** Called once when the host shuts down: stop serving, close connections. Must not throw. */
  default void stop() {}

  /**
   * What the router shows of its own state, for people and tools ({@code meshroll xds nodes} shows
   * the xds router's): a tree of {@code Map}/{@code List}/{@code String}/{@code Number}/ {@code
   * Boolean}. Must not block on the mesh; empty when there is nothing to show.
   */
  default Map<String, Object> status() {
    return Map.of();
  }

  /**
   * What this router addresses each version role of {@code routing} as, for people and for the
   * host's revision rule (a new revision's stable must be the target that is live): a cluster, a
   * subset, a Service, as the router's config names it. Pure. By default the roles' Kubernetes
   * Services; roles the router cannot name are left out.
   */
  default Map<String, String> targets(RolloutRouting routing) {
    return routing.services();
  }

  /** What this router can do; the host refuses a rollout whose steps need more. */
  Set<Capability> capabilities();

  /**
   * Checks a rollout's config for this router and that the objects it names exist, before the
   * rollout starts. Returns every problem found, or nothing when the rollout can run.
   */
  List<ValidationProblem> validate(RolloutRouting routing);

  /**
   * Returns the mesh objects this router would write to serve {@code intent}, given the objects it
   * would find ({@code meshObjects}: as parsed from YAML or JSON, in the mesh's own form). Objects
   * that need no change are left out. Pure.
   *
   * @throws RouterException when the objects cannot serve the intent, e.g. a named route is
   *     missing; the message names the object and what was expected
   */
  List<Map<String, Object>> render(RouteIntent intent, List<Map<String, Object>> meshObjects)
      throws RouterException;

  /** Makes the mesh serve {@code intent}, writing only what differs. */
  void apply(RouteIntent intent) throws RouterException;

  /**
   * Tells whether the data plane serves {@code intent}: {@code CONVERGED}, {@code PENDING} with
   * progress, {@code FAILED} with the data plane's reason, or {@code UNSUPPORTED} when this router
   * cannot tell. Must not write anything.
   */
  Verification verify(RouteIntent intent) throws RouterException;

  /**
   * Ends the rollout's hold on the mesh: removes every managed route and anything else this router
   * added for the rollout, and leaves the configured routes serving the weights of {@code
   * finalIntent} (stable 100% after an abort, the new version 100% after a completed rollout).
   * Idempotent: releasing twice, or releasing what was never applied, is not an error.
   */
  void release(RouteIntent finalIntent) throws RouterException;
}
