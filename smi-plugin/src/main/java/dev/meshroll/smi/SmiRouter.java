package dev.meshroll.smi;

import dev.meshroll.api.Capability;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.api.Verification;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The router {@code smi}: splits a rollout's traffic with one SMI TrafficSplit it owns, configured
 * by Argo Rollouts' {@code smi} block, and routes header routes through HTTPRouteGroups where the
 * SMI version has TrafficSplit matches (v1alpha3, v1alpha4).
 *
 * <p>It offers {@link Capability#HEADER_ROUTES} although v1alpha1 and v1alpha2 have no matches:
 * capabilities are one set per router, so {@link #validate} refuses a rollout with managed routes
 * when the SMI version in force lacks them. SMI has no mirroring, so no {@link
 * Capability#MIRROR_ROUTES}. {@link #verify} reads the objects back and compares: SMI reports
 * nothing about proxies.
 */
@Extension
public final class SmiRouter implements TrafficRouter {
  static final String ID = "smi";

  /** How often one call reads again after a 409 Conflict before it gives up. */
  static final int ATTEMPTS = 5;

  private static final Logger logger = LoggerFactory.getLogger(SmiRouter.class);

  /** What the API server serves of SMI's two groups. */
  private record Discovery(List<String> split, List<String> specs) {}

  private final boolean ownsClient;
  // Written by start() before any other call, read by the host's threads afterwards.
  private volatile Cluster cluster;
  private volatile Settings settings = Settings.DEFAULTS;
  // Asked once, when first needed and the API server serves SMI: versions change only when someone
  // installs other CRDs, which a host restart picks up. Two threads asking at once store equal
  // answers, so a volatile field is all the guard it needs.
  private volatile Discovery discovery;

  // Rollouts run on different threads at once, but never two calls for one rollout: a concurrent
  // map is all the guard the newest generation per rollout needs.
  private final ConcurrentMap<RolloutRef, Long> generations = new ConcurrentHashMap<>();

  /** The router PF4J instantiates; {@link #start} connects it. */
  public SmiRouter() {
    this.ownsClient = true;
  }

  /** A router on a client of the caller's, which stays the caller's to close. */
  SmiRouter(KubernetesClient client) {
    this.ownsClient = false;
    this.cluster = new Cluster(client);
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
        Capability.MULTIPLE_VERSIONS,
        Capability.VERIFY);
  }

  @Override
  public void start(Map<String, Object> settings, Path configDirectory) throws RouterException {
    Settings bound = Settings.from(settings, configDirectory);
    if (ownsClient) {
      this.cluster = new Cluster(Cluster.connect(bound));
    }
    this.settings = bound;
    logger.info(
        "smi router started: kubeconfig {}, context {}, namespace {}",
        bound.kubeconfig().map(Path::toString).orElse("by the usual rules"),
        bound.context().orElse("current"),
        bound.namespace().orElse("of each rollout"));
  }

  @Override
  public void stop() {
    Cluster started = cluster;
    if (ownsClient && started != null) {
      started.close();
    }
  }

  @Override
  public List<ValidationProblem> validate(RolloutRouting routing) {
    SmiConfig config = config(routing);
    List<ValidationProblem> problems = new ArrayList<>(config.problems());
    Cluster started = cluster;
    if (started == null) {
      SplitVersion version = config.apiVersion().orElse(SplitVersion.OFFLINE);
      problems.addAll(matchProblems(config, version));
      problems.add(
          SmiConfig.problem(
              "",
              "the router is not connected to a cluster (not started): nothing was checked there"));
      return problems;
    }
    try {
      Optional<SplitVersion> version = servedVersion(config, problems);
      for (SmiConfig.ServiceUse use : config.serviceUses()) {
        if (!started.hasService(config.namespace(), use.service())) {
          problems.add(
              SmiConfig.problem(
                  use.field(),
                  "Service "
                      + config.namespace()
                      + "/"
                      + use.service()
                      + " does not exist ("
                      + use.origin()
                      + ")"));
        }
      }
      if (version.isPresent() && config.problems().isEmpty()) {
        List<Map<String, Object>> found = started.read(config.refs(version.get()));
        TrafficSplits.refusals(config, version.get(), found)
            .forEach(refusal -> problems.add(new ValidationProblem("", refusal)));
      }
    } catch (RouterException e) {
      problems.add(new ValidationProblem("", e.getMessage()));
    }
    return problems;
  }

  @Override
  public List<Map<String, Object>> render(RouteIntent intent, List<Map<String, Object>> meshObjects)
      throws RouterException {
    SmiConfig config = config(intent.routing());
    return TrafficSplits.forIntent(config, renderVersion(config, meshObjects), intent, meshObjects)
        .rendered();
  }

  @Override
  public void apply(RouteIntent intent) throws RouterException {
    RolloutRef rollout = intent.rollout();
    Long newest = generations.get(rollout);
    if (newest != null && intent.generation() < newest) {
      throw new RouterException(
          "smi: "
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
    SmiConfig config = config(intent.routing()).valid();
    SplitVersion version = version(config);
    Changes changes =
        TrafficSplits.forIntent(config, version, intent, started().read(config.refs(version)));
    if (changes.none()) {
      return Verification.converged();
    }
    // apply wrote all of it moments ago: what differs now was changed by another writer, and
    // waiting will not bring it back.
    return Verification.failed(
        "smi: the cluster no longer serves generation "
            + intent.generation()
            + ": "
            + String.join("; ", changes.reasons()));
  }

  @Override
  public void release(RouteIntent finalIntent) throws RouterException {
    inContext(finalIntent.rollout(), () -> write(finalIntent, true));
    // Released, the rollout may come back with its generations counted afresh.
    generations.remove(finalIntent.rollout());
  }

  /**
   * Reads, renders, writes what differs; after a 409 Conflict, again from the fresh objects, so
   * that another writer's change is kept rather than overwritten.
   */
  private void write(RouteIntent intent, boolean release) throws RouterException {
    SmiConfig config = config(intent.routing()).valid();
    SplitVersion version = version(config);
    Cluster started = started();
    List<ObjectRef> refs = config.refs(version);
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      List<Map<String, Object>> found = started.read(refs);
      Changes changes =
          release
              ? TrafficSplits.forRelease(config, version, intent, found)
              : TrafficSplits.forIntent(config, version, intent, found);
      if (changes.none()) {
        logger.debug("nothing to change for generation {}", intent.generation());
        return;
      }
      if (carryOut(changes, intent.generation(), release)) {
        return;
      }
    }
    String objects = refs.stream().map(ObjectRef::toString).collect(Collectors.joining(", "));
    throw new RouterException(
        "smi: "
            + objects
            + " changed under every one of "
            + ATTEMPTS
            + " attempts to write (409 Conflict); another writer keeps changing them");
  }

  /** Writes, then deletes; false at the first 409 Conflict, when all must be read again. */
  private boolean carryOut(Changes changes, long generation, boolean release)
      throws RouterException {
    Cluster started = started();
    for (Changes.Write write : changes.writes()) {
      stopIfInterrupted(write.ref());
      if (!started.write(write.ref(), write.after(), write.before().isPresent())) {
        logger.info("{} changed while being written (409 Conflict); reading it again", write.ref());
        return false;
      }
      logger.info(
          "{} {} for generation {}: {}",
          release ? "released" : "wrote",
          write.ref(),
          generation,
          write.why());
    }
    for (ObjectRef ref : changes.deletions()) {
      stopIfInterrupted(ref);
      started.delete(ref);
      logger.info("deleted {} for generation {}", ref, generation);
    }
    return true;
  }

  /**
   * The host interrupts a call that ran past its timeout: by then a newer call may be writing, so
   * this one must not write anything more.
   */
  private static void stopIfInterrupted(ObjectRef next) throws RouterException {
    if (Thread.currentThread().isInterrupted()) {
      throw new RouterException("smi: interrupted (timed out?) before writing " + next);
    }
  }

  /** The configured version, else the newest the API server serves. */
  private SplitVersion version(SmiConfig config) throws RouterException {
    if (config.apiVersion().isPresent()) {
      return config.apiVersion().get();
    }
    List<String> served = discovery().split();
    return SplitVersion.newest(served).orElseThrow(() -> new RouterException(unserved(served)));
  }

  /**
   * The version in force, checked against the API server; every problem found is added to {@code
   * problems}. Empty when there is none to use.
   */
  private Optional<SplitVersion> servedVersion(SmiConfig config, List<ValidationProblem> problems)
      throws RouterException {
    Discovery served = discovery();
    Optional<SplitVersion> version =
        config.apiVersion().or(() -> SplitVersion.newest(served.split()));
    if (served.split().isEmpty() || version.isEmpty()) {
      problems.add(new ValidationProblem("", unserved(served.split())));
      return Optional.empty();
    }
    if (!served.split().contains(version.get().version())) {
      problems.add(
          SmiConfig.problem(
              SmiConfig.API_VERSION,
              "the API server does not serve "
                  + version.get().apiVersion()
                  + " (it serves: "
                  + served.split()
                  + ")"));
    }
    problems.addAll(matchProblems(config, version.get()));
    if (!config.managedRoutes().isEmpty()
        && version.get().hasMatches()
        && !served.specs().contains(version.get().version())) {
      problems.add(
          SmiConfig.problem(
              "",
              "managed routes need HTTPRouteGroups of "
                  + version.get().routeGroupApiVersion()
                  + ", which the API server does not serve (it serves: "
                  + served.specs()
                  + ")"));
    }
    return version;
  }

  /** A problem when the rollout has managed routes and {@code version} no TrafficSplit matches. */
  private static List<ValidationProblem> matchProblems(SmiConfig config, SplitVersion version) {
    if (config.managedRoutes().isEmpty() || version.hasMatches()) {
      return List.of();
    }
    return List.of(
        SmiConfig.problem(
            config.apiVersion().isPresent() ? SmiConfig.API_VERSION : "",
            "managed routes "
                + config.managedRoutes()
                + " need TrafficSplit matches, which "
                + version.apiVersion()
                + " does not have (expected apiVersion v1alpha3 or v1alpha4)"));
  }

  private static String unserved(List<String> served) {
    return served.isEmpty()
        ? "smi: the API server serves no "
            + SplitVersion.GROUP
            + " version (is an SMI implementation installed?)"
        : "smi: the API server serves "
            + SplitVersion.GROUP
            + " "
            + served
            + ", none of which this router knows (expected one of: "
            + SplitVersion.names()
            + ")";
  }

  private Discovery discovery() throws RouterException {
    Discovery known = discovery;
    if (known != null) {
      return known;
    }
    Cluster started = started();
    Discovery asked =
        new Discovery(started.served(SplitVersion.GROUP), started.served(SplitVersion.SPECS_GROUP));
    if (!asked.split().isEmpty()) {
      discovery = asked; // an empty answer may mean SMI is being installed: ask again next time
      logger.info(
          "the API server serves {} {} and {} {}",
          SplitVersion.GROUP,
          asked.split(),
          SplitVersion.SPECS_GROUP,
          asked.specs());
    }
    return asked;
  }

  /**
   * The version {@code render} uses without asking anyone: the configured one, else the one the API
   * server named when asked earlier, else that of the rollout's TrafficSplit among the objects,
   * else {@link SplitVersion#OFFLINE}.
   */
  private SplitVersion renderVersion(SmiConfig config, List<Map<String, Object>> objects) {
    if (config.apiVersion().isPresent()) {
      return config.apiVersion().get();
    }
    Discovery known = discovery;
    if (known != null) {
      Optional<SplitVersion> newest = SplitVersion.newest(known.split());
      if (newest.isPresent()) {
        return newest.get();
      }
    }
    ObjectRef split = config.split(SplitVersion.OFFLINE);
    return objects.stream()
        .filter(split::names)
        .map(object -> String.valueOf(object.get("apiVersion")))
        .map(SplitVersion::of)
        .flatMap(Optional::stream)
        .findFirst()
        .orElse(SplitVersion.OFFLINE);
  }

  private SmiConfig config(RolloutRouting routing) {
    return SmiConfig.from(routing, settings.namespace());
  }

  private Cluster started() throws RouterException {
    Cluster started = cluster;
    if (started == null) {
      throw new RouterException("smi: the router is not connected to a cluster (not started)");
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
