package dev.meshroll.istio;

import dev.meshroll.api.Capability;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.api.Verification;
import dev.meshroll.istio.IstioConfig.ObjectRef;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The router {@code istio}: splits traffic by editing the user's VirtualServices (and the subsets
 * of a DestinationRule), configured by Argo Rollouts' {@code istio} block.
 *
 * <p>It does not offer {@link Capability#VERIFY}: Istio tells nobody when its proxies have taken a
 * change. {@link #verify} only reads the objects back and answers {@code CONVERGED} when they carry
 * the rendering; that the sidecars route accordingly follows some time later, unacknowledged.
 */
@Extension
public final class IstioRouter implements TrafficRouter {
  static final String ID = "istio";

  /** How often one call reads again after a 409 Conflict before it gives up. */
  static final int ATTEMPTS = 5;

  private static final Logger logger = LoggerFactory.getLogger(IstioRouter.class);

  private final boolean ownsClient;
  // Written once by start() before any other call, read by the host's threads afterwards.
  private volatile Cluster cluster;
  private volatile Settings settings = Settings.DEFAULTS;

  // Rollouts run on different threads at once, but never two calls for one rollout: a concurrent
  // map is all the guard the newest generation per rollout needs.
  private final ConcurrentMap<RolloutRef, Long> generations = new ConcurrentHashMap<>();

  /** The router PF4J instantiates; {@link #start} connects it. */
  public IstioRouter() {
    this.ownsClient = true;
  }

  /** A router on a client of the caller's, which stays the caller's to close. */
  IstioRouter(KubernetesClient client) {
    this.ownsClient = false;
    this.cluster = new Cluster(client, settings.apiVersion());
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(
        Capability.WEIGHTS,
        Capability.HEADER_ROUTES,
        Capability.MIRROR_ROUTES,
        Capability.MULTIPLE_VERSIONS);
  }

  @Override
  public void start(Map<String, Object> settings, Path configDirectory) throws RouterException {
    Settings bound = Settings.from(settings, configDirectory);
    this.settings = bound;
    if (ownsClient) {
      this.cluster = new Cluster(Cluster.connect(bound), bound.apiVersion());
    } else {
      this.cluster = new Cluster(cluster.client(), bound.apiVersion());
    }
    logger.info(
        "istio router started: kubeconfig {}, context {}, networking.istio.io/{}",
        bound.kubeconfig().map(Path::toString).orElse("by the usual rules"),
        bound.context().orElse("current"),
        bound.apiVersion());
  }

  @Override
  public void stop() {
    Cluster started = cluster;
    if (ownsClient && started != null) {
      started.close();
    }
  }

  /** Each role's destination: {@code subset v1}, {@code host reviews-canary}. */
  @Override
  public Map<String, String> targets(RolloutRouting routing) {
    Map<String, String> targets = new LinkedHashMap<>();
    config(routing).targets().forEach((role, target) -> targets.put(role, target.toString()));
    return targets;
  }

  @Override
  public List<ValidationProblem> validate(RolloutRouting routing) {
    IstioConfig config = config(routing);
    Cluster started = cluster;
    if (started == null) {
      List<ValidationProblem> problems = new ArrayList<>(config.problems());
      problems.add(IstioConfig.problem("", "the router is not connected to a cluster"));
      return problems;
    }
    try {
      return Rendering.problems(config, routing, started.read(Rendering.refs(config)));
    } catch (RouterException e) {
      List<ValidationProblem> problems = new ArrayList<>(config.problems());
      problems.add(new ValidationProblem("", e.getMessage()));
      return problems;
    }
  }

  @Override
  public List<Map<String, Object>> render(RouteIntent intent, List<Map<String, Object>> meshObjects)
      throws RouterException {
    return Rendering.forIntent(config(intent.routing()), intent, meshObjects).written();
  }

  @Override
  public void apply(RouteIntent intent) throws RouterException {
    RolloutRef rollout = intent.rollout();
    Long newest = generations.get(rollout);
    if (newest != null && intent.generation() < newest) {
      throw new RouterException(
          "istio: "
              + rollout
              + " generation "
              + intent.generation()
              + " is older than generation "
              + newest
              + ", which is applied already; not going back");
    }
    inContext(rollout, () -> write(intent, false));
    generations.merge(rollout, intent.generation(), Math::max);
  }

  @Override
  public Verification verify(RouteIntent intent) throws RouterException {
    IstioConfig config = config(intent.routing());
    Cluster started = started();
    Rendering rendering = Rendering.forIntent(config, intent, started.read(Rendering.refs(config)));
    List<String> differing =
        rendering.changes().stream()
            .filter(Rendering.Change::changed)
            .map(change -> change.ref().toString())
            .toList();
    if (differing.isEmpty()) {
      return Verification.converged();
    }
    return Verification.pending(
        String.join(", ", differing) + " not yet at generation " + intent.generation());
  }

  @Override
  public void release(RouteIntent finalIntent) throws RouterException {
    inContext(finalIntent.rollout(), () -> write(finalIntent, true));
  }

  /**
   * Reads, renders, writes what differs; after a 409 Conflict, again from the fresh objects, so
   * that another writer's change is kept rather than overwritten.
   */
  private void write(RouteIntent intent, boolean release) throws RouterException {
    IstioConfig config = config(intent.routing());
    Cluster started = started();
    List<ObjectRef> refs = Rendering.refs(config);
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      List<Map<String, Object>> found = started.read(refs);
      if (release && attempt == 1) {
        refs.stream()
            .filter(ref -> Rendering.find(found, ref).isEmpty())
            .forEach(ref -> logger.info("{} does not exist; nothing to release there", ref));
      }
      Rendering rendering =
          release
              ? Rendering.forRelease(config, intent, found)
              : Rendering.forIntent(config, intent, found);
      boolean conflict = false;
      for (Rendering.Change change : rendering.changes()) {
        if (!change.changed()) {
          continue;
        }
        if (!started.write(change.ref(), change.after())) {
          logger.info(
              "{} changed while being written (409 Conflict); reading it again", change.ref());
          conflict = true;
          break;
        }
        logger.info(
            "{} {} for generation {}",
            release ? "released" : "wrote",
            change.ref(),
            intent.generation());
      }
      if (!conflict) {
        return;
      }
    }
    String objects = refs.stream().map(ObjectRef::toString).collect(Collectors.joining(", "));
    logger.warn("gave up on {} after {} conflicts", objects, ATTEMPTS);
    throw new RouterException(
        "istio: "
            + objects
            + " changed under every one of "
            + ATTEMPTS
            + " attempts to write (409 Conflict); another writer keeps changing them");
  }

  private IstioConfig config(RolloutRouting routing) {
    return IstioConfig.from(routing, settings.namespace());
  }

  private Cluster started() throws RouterException {
    Cluster started = cluster;
    if (started == null) {
      throw new RouterException("istio: the router is not connected to a cluster (not started)");
    }
    return started;
  }

  private interface Call {
    void run() throws RouterException;
  }

  private static void inContext(RolloutRef rollout, Call call) throws RouterException {
    MDC.put("rollout", rollout.name());
    MDC.put("namespace", rollout.namespace());
    MDC.put("router", ID);
    try {
      call.run();
    } catch (RouterException e) {
      logger.warn("{}", e.getMessage());
      throw e;
    } finally {
      MDC.remove("rollout");
      MDC.remove("namespace");
      MDC.remove("router");
    }
  }
}
