package dev.meshroll.xds;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshroll.api.Capability;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.api.Verification;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router {@code xds}: serves Envoy fleets and proxyless gRPC clients from an in-process xDS
 * server, with each rollout's intent overlaid on base resources read from files. It knows when the
 * fleet has shifted: {@code verify} counts the nodes that have everything the intent makes them
 * need (see {@link Needs}) and judges by the rules of {@link Convergence}.
 *
 * <p>Host settings ({@code plugins: {xds: {...}}}): {@code listen} (default 127.0.0.1:18000),
 * {@code resources} (a folder of Envoy resource files, required), {@code minFraction} (of the
 * subscribed nodes that must have the intent, default 1.0), {@code minNodes} (fewer subscribed
 * nodes keep a step pending, default 1), {@code verifyTimeout} (after which a change this host run
 * pushed fails its step, seconds, default 120), {@code reconnectGrace} (how long nodes remembered
 * from before a restart count while they have not reconnected, seconds, default 300), {@code
 * reloadSeconds} (how often files are checked, default 1), {@code intents} (the file that keeps the
 * intents in force and their fleets across restarts, default {@code xds-intents.json}, relative to
 * the host config), {@code tls}.
 */
@Extension
public final class XdsRouter implements TrafficRouter {
  private static final Logger logger = LoggerFactory.getLogger(XdsRouter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;
  // Guarded by this: the base, the intents in force and what the server serves change together.
  private ResourceSet base = ResourceSet.EMPTY;
  private final Map<RolloutRef, RouteIntent> intents = new LinkedHashMap<>();
  // Each rollout's fleet, as kept in the intent file (see IntentFile.Entry).
  private final Map<RolloutRef, Map<String, Long>> fleets = new HashMap<>();
  // The fleets read at start: their nodes count until they reconnect or reconnectGrace passes.
  private final Map<RolloutRef, Map<String, Long>> remembered = new HashMap<>();
  private final Map<RolloutRef, Map<Long, Introduced>> introduced = new HashMap<>();
  private XdsServer server;
  private ScheduledExecutorService reloads;
  private Path resourcesFolder;
  private IntentFile intentFile;
  private Map<Path, FileTime> seenFiles = Map.of();
  private Instant startedAt;
  private Convergence.Rules rules = new Convergence.Rules(1.0, 1, Duration.ofSeconds(120));
  private Duration reconnectGrace = Duration.ofSeconds(300);

  /**
   * When a generation of a rollout was first served.
   *
   * @param routeVersion the first RouteConfiguration type version that carried it
   * @param pushedAt when this host run made it the one in force; empty when it was in force before
   *     the host started (no deadline then: a restart must not roll back)
   */
  private record Introduced(long routeVersion, Optional<Instant> pushedAt) {}

  public XdsRouter() {
    this(Clock.systemUTC());
  }

  XdsRouter(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String id() {
    return "xds";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  @Override
  public synchronized void start(Map<String, Object> settings, Path configDirectory)
      throws RouterException {
    Object resources = settings.get("resources");
    if (!(resources instanceof String folder)) {
      throw new RouterException("xds: settings need resources: a folder of Envoy resource files");
    }
    resourcesFolder = configDirectory.resolve(folder);
    double minFraction = number(settings, "minFraction", 1.0);
    if (minFraction <= 0 || minFraction > 1) {
      throw new RouterException("xds: minFraction " + minFraction + " is not within (0, 1]");
    }
    double minNodes = number(settings, "minNodes", 1);
    if (minNodes < 0 || minNodes != Math.rint(minNodes)) {
      throw new RouterException("xds: minNodes " + minNodes + " is not a whole number >= 0");
    }
    rules =
        new Convergence.Rules(minFraction, (int) minNodes, seconds(settings, "verifyTimeout", 120));
    reconnectGrace = seconds(settings, "reconnectGrace", 300);
    Resources.Result loaded = Resources.load(resourcesFolder);
    if (!loaded.valid()) {
      throw new RouterException(
          "xds: the resources in "
              + resourcesFolder
              + " are refused: "
              + String.join("; ", loaded.problems()));
    }
    base = loaded.resources();
    seenFiles = files();
    intentFile =
        new IntentFile(
            configDirectory.resolve(
                String.valueOf(settings.getOrDefault("intents", "xds-intents.json"))));
    try {
      intentFile
          .read()
          .forEach(
              (rollout, entry) -> {
                intents.put(rollout, entry.intent());
                fleets.put(rollout, entry.fleet());
                remembered.put(rollout, entry.fleet());
              });
    } catch (IOException | RuntimeException e) {
      throw new RouterException(
          "xds: cannot read the intents in force from " + intentFile + ": " + e.getMessage(), e);
    }
    String listen = String.valueOf(settings.getOrDefault("listen", "127.0.0.1:18000"));
    int colon = listen.lastIndexOf(':');
    Optional<XdsServer.Tls> tls = tls(settings, configDirectory);
    try {
      server =
          XdsServer.start(
              new InetSocketAddress(
                  listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))),
              tls);
    } catch (IOException | RuntimeException e) {
      throw new RouterException("xds: cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    startedAt = clock.instant();
    ServedSnapshot first = publish();
    // Intents kept from before a restart are served from the first response on.
    intents
        .values()
        .forEach(
            intent ->
                introduced
                    .computeIfAbsent(intent.rollout(), rollout -> new HashMap<>())
                    .put(
                        intent.generation(),
                        new Introduced(first.type(TypeUrls.ROUTE).version(), Optional.empty())));
    long reloadMillis = (long) (number(settings, "reloadSeconds", 1) * 1000);
    reloads =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "xds-resources");
              thread.setDaemon(true);
              return thread;
            });
    reloads.scheduleWithFixedDelay(
        this::reloadIfChanged, reloadMillis, reloadMillis, TimeUnit.MILLISECONDS);
  }

  /** {@code tls: {certificate: FILE, key: FILE, clientCa: FILE}}; clientCa asks for mutual TLS. */
  private static Optional<XdsServer.Tls> tls(Map<String, Object> settings, Path configDirectory)
      throws RouterException {
    Object block = settings.get("tls");
    if (block == null) {
      return Optional.empty();
    }
    if (!(block instanceof Map<?, ?> tls)
        || !(tls.get("certificate") instanceof String certificate)
        || !(tls.get("key") instanceof String key)) {
      throw new RouterException(
          "xds: settings tls need certificate: FILE and key: FILE (PEM), and clientCa: FILE for mutual TLS");
    }
    List<Path> files =
        new ArrayList<>(
            List.of(configDirectory.resolve(certificate), configDirectory.resolve(key)));
    Optional<Path> clientCa =
        Optional.ofNullable(tls.get("clientCa"))
            .map(ca -> configDirectory.resolve(String.valueOf(ca)));
    clientCa.ifPresent(files::add);
    for (Path file : files) {
      if (!Files.isReadable(file)) {
        throw new RouterException("xds: TLS file " + file + " cannot be read");
      }
    }
    return Optional.of(
        new XdsServer.Tls(
            files.get(0).toFile(), files.get(1).toFile(), clientCa.map(Path::toFile)));
  }

  private static Duration seconds(Map<String, Object> settings, String key, double fallback)
      throws RouterException {
    double seconds = number(settings, key, fallback);
    if (seconds < 0) {
      throw new RouterException("xds: " + key + " " + seconds + " must not be negative");
    }
    return Duration.ofMillis((long) (seconds * 1000));
  }

  private static double number(Map<String, Object> settings, String key, double fallback)
      throws RouterException {
    Object value = settings.getOrDefault(key, fallback);
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    throw new RouterException("xds: setting " + key + " must be a number, got " + value);
  }

  /** The port the xDS server listens on (tests ask for port 0). */
  synchronized int port() {
    return server.port();
  }

  synchronized List<NodeStatus> nodes() {
    return server.nodes();
  }

  /**
   * The fleet, as {@code meshroll xds nodes} shows it: one entry per node id, with the generation
   * of each rollout its acknowledged route configuration carries.
   */
  @Override
  public synchronized Map<String, Object> status() {
    List<Map<String, Object>> nodes = new ArrayList<>();
    ServedSnapshot snapshot = server == null ? null : server.snapshot();
    for (NodeStatus node : server == null ? List.<NodeStatus>of() : server.nodes()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("id", node.id());
      entry.put("cluster", node.cluster());
      entry.put("streams", node.streams());
      entry.put("connectedSince", node.connectedSince().truncatedTo(ChronoUnit.SECONDS).toString());
      entry.put("acked", node.acked());
      entry.put("generations", generations(node, snapshot));
      node.lastNack()
          .ifPresent(
              nack -> {
                Map<String, Object> rejection = new LinkedHashMap<>();
                rejection.put("type", TypeUrls.shortName(nack.type()));
                rejection.put("version", nack.version());
                rejection.put("resources", nack.rejected().stream().sorted().toList());
                rejection.put("message", nack.message());
                rejection.put("at", nack.at().truncatedTo(ChronoUnit.SECONDS).toString());
                entry.put("lastNack", rejection);
              });
      nodes.add(entry);
    }
    return Map.of("epoch", snapshot == null ? "" : snapshot.epoch(), "nodes", nodes);
  }

  /**
   * For each rollout whose route configuration the node subscribes to: the newest generation that
   * the route configuration version it ACKed carries.
   */
  private Map<String, Long> generations(NodeStatus node, ServedSnapshot snapshot) {
    long acked =
        snapshot.versionNumber(node.acked().getOrDefault(TypeUrls.shortName(TypeUrls.ROUTE), ""));
    Map<String, Long> generations = new TreeMap<>();
    intents.forEach(
        (rollout, intent) -> {
          String routes = String.valueOf(intent.config().get("routeConfiguration"));
          if (node.routes().contains(routes)) {
            introduced.getOrDefault(rollout, Map.of()).entrySet().stream()
                .filter(generation -> generation.getValue().routeVersion() <= acked)
                .mapToLong(Map.Entry::getKey)
                .max()
                .ifPresent(generation -> generations.put(rollout.toString(), generation));
          }
        });
    return generations;
  }

  private synchronized void reloadIfChanged() {
    Map<Path, FileTime> now = files();
    if (now.equals(seenFiles)) {
      return;
    }
    seenFiles = now;
    Resources.Result loaded = Resources.load(resourcesFolder);
    if (!loaded.valid()) {
      logger.warn(
          "resources in {} refused, the last good set keeps serving: {}",
          resourcesFolder,
          loaded.problems());
      return;
    }
    base = loaded.resources();
    publish();
    logger.info("resources in {} reloaded", resourcesFolder);
  }

  private Map<Path, FileTime> files() {
    Map<Path, FileTime> times = new HashMap<>();
    try (Stream<Path> files = Files.list(resourcesFolder)) {
      for (Path file : files.toList()) {
        times.put(file, Files.getLastModifiedTime(file));
      }
    } catch (IOException e) {
      logger.warn("cannot list {}: {}", resourcesFolder, e.getMessage());
    }
    return times;
  }

  /** Serves the base with every intent in force; intents that no longer fit are left out. */
  private ServedSnapshot publish() {
    Snapshots.Overlay overlay = Snapshots.from(base, intents);
    overlay
        .failures()
        .forEach((rollout, why) -> logger.warn("{}: intent left out: {}", rollout, why));
    return server.publish(overlay.resources());
  }

  /** Each role's cluster, as the rollout's {@code versions} names it. */
  @Override
  public Map<String, String> targets(RolloutRouting routing) {
    return RouteSettings.read(routing.config(), routing.versions(), new ArrayList<>())
        .map(RouteSettings::versions)
        .orElse(Map.of());
  }

  @Override
  public synchronized List<ValidationProblem> validate(RolloutRouting routing) {
    List<ValidationProblem> problems = new ArrayList<>();
    Optional<RouteSettings> settings =
        RouteSettings.read(routing.config(), routing.versions(), problems);
    if (settings.isEmpty()) {
      return problems;
    }
    for (Map.Entry<String, String> version : settings.get().versions().entrySet()) {
      if (!base.clusters().containsKey(version.getValue())) {
        problems.add(
            new ValidationProblem(
                "versions." + version.getKey(),
                "cluster '"
                    + version.getValue()
                    + "' is not defined (clusters: "
                    + base.clusters().keySet()
                    + ")"));
      }
    }
    try {
      Snapshots.overlay(
          base.routes().get(settings.get().routeConfiguration()),
          probe(routing),
          settings.get(),
          base);
    } catch (RouterException e) {
      problems.add(new ValidationProblem("", e.getMessage()));
    }
    return problems;
  }

  /** All traffic to stable: an intent to try the config on. */
  private static RouteIntent probe(RolloutRouting routing) {
    return new RouteIntent(routing, 0, Map.of(RolloutRouting.STABLE, 100), List.of(), List.of());
  }

  @Override
  public List<Map<String, Object>> render(RouteIntent intent, List<Map<String, Object>> meshObjects)
      throws RouterException {
    List<Resources.Document> documents = new ArrayList<>();
    for (int i = 0; i < meshObjects.size(); i++) {
      // Other meshes' objects (a VirtualService, a TrafficSplit) are not this router's to read.
      if (meshObjects.get(i).containsKey("resources")) {
        documents.add(new Resources.Document("mesh object " + (i + 1), meshObjects.get(i)));
      }
    }
    Resources.Result parsed = Resources.parse(documents);
    if (!parsed.valid()) {
      throw new RouterException("xds: " + String.join("; ", parsed.problems()));
    }
    RouteSettings settings = Snapshots.settings(intent);
    RouteConfiguration routes =
        Snapshots.overlay(
            parsed.resources().routes().get(settings.routeConfiguration()),
            intent,
            settings,
            parsed.resources());
    return List.of(tree(routes));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> tree(RouteConfiguration routes) {
    try {
      Map<String, Object> tree = new LinkedHashMap<>();
      tree.put("@type", TypeUrls.ROUTE);
      tree.putAll(
          JSON.readValue(
              JsonFormat.printer().preservingProtoFieldNames().print(routes), LinkedHashMap.class));
      return tree;
    } catch (InvalidProtocolBufferException
        | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a route configuration always prints as JSON", e);
    }
  }

  @Override
  public synchronized void apply(RouteIntent intent) throws RouterException {
    RouteIntent current = intents.get(intent.rollout());
    if (current != null && current.generation() > intent.generation()) {
      throw new RouterException(
          "xds: "
              + intent.rollout()
              + " generation "
              + intent.generation()
              + " is older than "
              + current.generation()
              + ", which is in force");
    }
    RouteSettings settings = Snapshots.settings(intent);
    Snapshots.overlay(base.routes().get(settings.routeConfiguration()), intent, settings, base);
    serve(intent, current);
  }

  /** Puts {@code intent} in force in place of {@code current}: kept in the file, then served. */
  private void serve(RouteIntent intent, RouteIntent current) throws RouterException {
    intents.put(intent.rollout(), intent);
    try {
      keep();
    } catch (RouterException e) {
      restore(intent.rollout(), current);
      throw e;
    }
    ServedSnapshot served = publish();
    // The same generation again (a host that restarted re-applies what it stored) is no new push.
    boolean pushed = current == null || current.generation() != intent.generation();
    introduced
        .computeIfAbsent(intent.rollout(), rollout -> new HashMap<>())
        .putIfAbsent(
            intent.generation(),
            new Introduced(
                served.type(TypeUrls.ROUTE).version(),
                pushed ? Optional.of(clock.instant()) : Optional.empty()));
  }

  private void restore(RolloutRef rollout, RouteIntent previous) {
    if (previous == null) {
      intents.remove(rollout);
    } else {
      intents.put(rollout, previous);
    }
  }

  /** Stores the intents in force before they are served, so that a restart serves them too. */
  private void keep() throws RouterException {
    Map<RolloutRef, IntentFile.Entry> entries = new LinkedHashMap<>();
    intents.forEach(
        (rollout, intent) ->
            entries.put(
                rollout, new IntentFile.Entry(intent, fleets.getOrDefault(rollout, Map.of()))));
    try {
      intentFile.write(entries);
    } catch (IOException e) {
      throw new RouterException(
          "xds: cannot store the intents in force in " + intentFile + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Verification verify(RouteIntent intent) throws RouterException {
    RouteSettings settings = Snapshots.settings(intent);
    Introduced first = introduced.getOrDefault(intent.rollout(), Map.of()).get(intent.generation());
    if (first == null) {
      return Verification.pending("generation " + intent.generation() + " is not applied yet");
    }
    Needs needs = Needs.of(intent, settings, base, first.routeVersion());
    Convergence.Result result =
        Convergence.judge(
            settings.routeConfiguration(),
            intent.generation(),
            server.fleet(needs),
            remembered(intent.rollout()),
            fleets.getOrDefault(intent.rollout(), Map.of()),
            rules,
            first.pushedAt(),
            clock.instant());
    if (!result.fleet().equals(fleets.get(intent.rollout()))) {
      fleets.put(intent.rollout(), result.fleet());
      keep(); // so that a restart counts the same nodes
    }
    return result.verification();
  }

  /**
   * The nodes of a rollout's fleet remembered from before the restart that have not connected in
   * this run; none once {@code reconnectGrace} has passed.
   */
  private Map<String, Long> remembered(RolloutRef rollout) {
    if (clock.instant().isAfter(startedAt.plus(reconnectGrace))) {
      return Map.of();
    }
    Map<String, Long> absent = new TreeMap<>(remembered.getOrDefault(rollout, Map.of()));
    absent.keySet().removeIf(server::seen);
    return absent;
  }

  @Override
  public synchronized void release(RouteIntent finalIntent) throws RouterException {
    RouteIntent weightsOnly =
        new RouteIntent(
            finalIntent.routing(),
            finalIntent.generation(),
            finalIntent.weights(),
            List.of(),
            List.of());
    // Verified like any intent: the host waits until the fleet serves the final weights.
    serve(weightsOnly, intents.get(finalIntent.rollout()));
  }

  @Override
  public synchronized void stop() {
    if (reloads != null) {
      reloads.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }
}
