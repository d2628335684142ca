package dev.meshroll.host.run;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.meshroll.api.Capability;
import dev.meshroll.api.MetricProvider;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.host.analysis.AnalysisSetup;
import dev.meshroll.host.engine.Command;
import dev.meshroll.host.engine.Plan;
import dev.meshroll.host.engine.StepEngine;
import dev.meshroll.host.engine.Targets;
import dev.meshroll.host.plugins.Plugins;
import dev.meshroll.host.spec.AnalysisTemplate;
import dev.meshroll.host.spec.HostConfig;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.SpecProblem;
import dev.meshroll.host.state.StateStore;
import dev.meshroll.providers.PrometheusProvider;
import dev.meshroll.providers.WebProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone host: rollouts from a folder of specs, status in a state folder, one worker per
 * rollout on a small shared pool, routers from plugins.
 */
public final class Host implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Host.class);
  private static final long RESCAN_MILLIS = 500;

  /** Threads that wait for metric providers, each at most the plugin timeout. */
  private static final int MEASURERS = 4;

  private final HostConfig config;
  private final Plugins plugins;
  private final Map<String, TrafficRouter> routers;
  private final Map<String, String> routerFailures;
  private final HostMetrics metrics = new HostMetrics();
  private final RouterCalls calls;
  private final ExecutorService pool;
  private final ScheduledExecutorService timers;
  // The folder scan has a thread of its own: rollouts' timers must not wait for it.
  private final ScheduledExecutorService rescans =
      Executors.newSingleThreadScheduledExecutor(
          new ThreadFactoryBuilder().setNameFormat("rescan").setDaemon(true).build());
  private final RolloutSource source;
  private final RolloutWorker.Services services;
  private final Map<RolloutRef, RolloutWorker> workers = new ConcurrentHashMap<>();
  private final Map<String, MetricProvider> providers;
  private final ExecutorService measurers;
  // Written by the rescan task only; read by the control API (a volatile snapshot is enough).
  private volatile List<SpecProblem> fileProblems = List.of();
  private volatile Map<RolloutRef, AnalysisTemplate> templates = Map.of();

  private Host(HostConfig config, Plugins plugins) throws IOException {
    this.config = config;
    this.plugins = plugins;
    this.calls = new RouterCalls(config.pluginTimeout(), metrics);
    this.routerFailures = new LinkedHashMap<>();
    this.routers = startRouters(config, plugins, calls, routerFailures);
    this.pool =
        Executors.newFixedThreadPool(
            config.workers(),
            new ThreadFactoryBuilder().setNameFormat("rollouts-%d").setDaemon(true).build());
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("timers").setDaemon(true).build());
    this.source = new RolloutSource(config.rollouts());
    this.providers = providers(plugins);
    this.measurers =
        Executors.newFixedThreadPool(
            MEASURERS,
            new ThreadFactoryBuilder().setNameFormat("measure-%d").setDaemon(true).build());
    this.services =
        new RolloutWorker.Services(
            new StepEngine(),
            Clock.systemUTC(),
            new StateStore(config.state()),
            calls,
            routers,
            new MeasuredAnalyses(
                providers,
                () -> templates,
                calls,
                timers,
                measurers,
                Clock.systemUTC(),
                config.pluginTimeout(),
                metrics),
            timers,
            pool,
            metrics,
            config.verifyInterval(),
            this::admission);
  }

  /** Loads the plugins of {@code pluginFolders} and the config's folder, and starts watching. */
  public static Host start(HostConfig config, List<Path> pluginFolders) throws IOException {
    List<Path> folders = new ArrayList<>(pluginFolders);
    config.pluginFolder().ifPresent(folders::add);
    Plugins plugins = Plugins.load(folders);
    Host host = new Host(config, plugins);
    host.rescan();
    host.rescans.scheduleWithFixedDelay(
        host::rescan, RESCAN_MILLIS, RESCAN_MILLIS, TimeUnit.MILLISECONDS);
    logger.info(
        "host started: rollouts from {}, state in {}, routers {}",
        config.rollouts(),
        config.state(),
        host.routers.keySet());
    return host;
  }

  /** The built-in metric providers, then the plugins' (which cannot replace a built-in). */
  private static Map<String, MetricProvider> providers(Plugins plugins) {
    Map<String, MetricProvider> providers = new LinkedHashMap<>();
    for (MetricProvider builtIn : List.of(new PrometheusProvider(), new WebProvider())) {
      providers.put(builtIn.id(), builtIn);
    }
    plugins
        .metricProviders()
        .forEach(
            (id, provider) -> {
              if (providers.putIfAbsent(id, provider) != null) {
                logger.error("metric provider {} of a plugin left out: {} is built in", id, id);
              }
            });
    return providers;
  }

  private static Map<String, TrafficRouter> startRouters(
      HostConfig config, Plugins plugins, RouterCalls calls, Map<String, String> failures) {
    Map<String, TrafficRouter> started = new LinkedHashMap<>();
    plugins
        .routers()
        .forEach(
            (id, router) -> {
              Map<String, Object> settings = config.pluginSettings().getOrDefault(id, Map.of());
              try {
                calls.call(
                    id,
                    "start",
                    () -> {
                      router.start(settings, config.directory());
                      return null;
                    });
                started.put(id, router);
              } catch (RouterException e) {
                failures.put(id, e.getMessage());
                logger.error("router {} left out: {}", id, e.getMessage());
              }
            });
    return started;
  }

  /** Why a revision cannot run here (nothing when it can), and what its routers call its roles. */
  private RolloutWorker.Admission admission(RolloutSpec spec) {
    Plan plan = Plan.of(spec);
    List<String> problems = new ArrayList<>();
    Map<String, Set<Capability>> capabilities = new LinkedHashMap<>();
    for (String router : plan.routers()) {
      if (routers.containsKey(router)) {
        capabilities.put(router, routers.get(router).capabilities());
      } else if (routerFailures.containsKey(router)) {
        problems.add(
            spec.file() + ": router '" + router + "' did not start: " + routerFailures.get(router));
      } else {
        problems.add(
            spec.file()
                + ": router '"
                + router
                + "' is not installed (installed: "
                + routers.keySet()
                + ")");
      }
    }
    problems.addAll(plan.refusals(capabilities));
    problems.addAll(analysisProblems(spec, plan));
    Map<String, Map<String, String>> targets = new LinkedHashMap<>();
    for (String router : capabilities.keySet()) {
      try {
        List<ValidationProblem> found =
            calls.call(
                router, "validate", () -> routers.get(router).validate(plan.routing(router)));
        found.forEach(
            problem ->
                problems.add(
                    spec.file()
                        + ": spec.strategy.trafficRouting."
                        + router
                        + (problem.field().isEmpty() ? "" : "." + problem.field())
                        + ": "
                        + problem.message()));
        targets.put(
            router,
            calls.call(router, "targets", () -> routers.get(router).targets(plan.routing(router))));
      } catch (RouterException e) {
        problems.add(spec.file() + ": " + e.getMessage());
      }
    }
    return new RolloutWorker.Admission(problems, new Targets(targets));
  }

  /**
   * Why the rollout's analyses cannot run: templates or arguments missing, providers not installed,
   * or provider blocks their providers refuse.
   */
  private List<String> analysisProblems(RolloutSpec spec, Plan plan) {
    List<String> problems = new ArrayList<>();
    Map<RolloutRef, AnalysisTemplate> loaded = templates;
    plan.analyses()
        .forEach(
            (where, analysis) -> {
              AnalysisSetup.Setup setup =
                  AnalysisSetup.resolve(spec.ref(), analysis, loaded, providers.keySet());
              setup
                  .problems()
                  .forEach(problem -> problems.add(spec.file() + ": " + where + ": " + problem));
              // Provider blocks are checked as written, whether or not the arguments are complete.
              for (AnalysisTemplate template : setup.templates()) {
                template.metrics().stream()
                    .filter(metric -> providers.containsKey(metric.provider()))
                    .forEach(metric -> problems.addAll(providerProblems(template, metric)));
              }
            });
    return problems.stream().distinct().toList();
  }

  private List<String> providerProblems(AnalysisTemplate template, AnalysisTemplate.Metric metric) {
    String path = template.providerPath(metric);
    MetricProvider provider = providers.get(metric.provider());
    try {
      return calls
          .call(provider.id(), "validate", () -> provider.validate(metric.providerConfig()))
          .stream()
          .map(
              problem ->
                  path
                      + (problem.field().isEmpty() ? "" : "." + problem.field())
                      + ": "
                      + problem.message())
          .toList();
    } catch (RouterException e) {
      return List.of(path + ": " + e.getMessage());
    }
  }

  private void rescan() {
    RolloutSource.Snapshot snapshot;
    try {
      snapshot = source.scan();
    } catch (IOException | RuntimeException e) {
      logger.warn("cannot read the rollouts folder {}: {}", config.rollouts(), e.toString());
      return;
    }
    if (!snapshot.problems().equals(fileProblems)) {
      snapshot.problems().forEach(problem -> logger.warn("spec refused: {}", problem));
    }
    fileProblems = snapshot.problems();
    templates = snapshot.templates(); // before admission reads them
    // Offered only when a file changed (or a refused revision waits for a template or a router):
    // offering 10,000 unchanged specs every rescan kept the workers busy for nothing.
    snapshot
        .rollouts()
        .forEach(
            (ref, spec) -> {
              RolloutWorker worker = workers.get(ref);
              if (worker == null || snapshot.changed() || worker.awaitingAdmission()) {
                workers
                    .computeIfAbsent(ref, key -> new RolloutWorker(key, services))
                    .offer(spec, snapshot.rolloutProblems().getOrDefault(ref, List.of()));
              }
            });
    for (RolloutRef gone : List.copyOf(workers.keySet())) {
      if (!snapshot.rollouts().containsKey(gone)) {
        logger.info("{}: its spec is gone; the host stops managing it", gone);
        workers.remove(gone).stop();
      }
    }
  }

  public Collection<RolloutView> rollouts() {
    return workers.values().stream().map(RolloutWorker::view).toList();
  }

  public Optional<RolloutView> rollout(RolloutRef ref) {
    return Optional.ofNullable(workers.get(ref)).map(RolloutWorker::view);
  }

  /** The spec files the host refused; their rollouts go on with their last good revision. */
  public List<SpecProblem> fileProblems() {
    return fileProblems;
  }

  /**
   * Carries out an operator's command.
   *
   * @param caller who gives it (the name of their token), recorded in the rollout's history; empty
   *     when the host cannot tell
   * @return the view after it; fails with {@link IllegalStateException} when it does not apply, or
   *     {@link java.util.NoSuchElementException} for an unknown rollout
   */
  public CompletableFuture<RolloutView> command(RolloutRef ref, Command command, String caller) {
    RolloutWorker worker = workers.get(ref);
    if (worker == null) {
      return CompletableFuture.failedFuture(
          new java.util.NoSuchElementException("no rollout " + ref));
    }
    return worker.command(command, caller);
  }

  /** Sends a rollout's view now and on every change; false when the rollout is unknown. */
  public boolean watch(RolloutRef ref, java.util.function.Consumer<RolloutView> watcher) {
    RolloutWorker worker = workers.get(ref);
    if (worker == null) {
      return false;
    }
    worker.watch(watcher);
    return true;
  }

  public void unwatch(RolloutRef ref, java.util.function.Consumer<RolloutView> watcher) {
    Optional.ofNullable(workers.get(ref)).ifPresent(worker -> worker.unwatch(watcher));
  }

  /**
   * What a started router shows of its own state; empty for a router that is not running.
   *
   * @throws RouterException when the router threw or did not answer in time
   */
  public Optional<Map<String, Object>> routerStatus(String id) throws RouterException {
    TrafficRouter router = routers.get(id);
    if (router == null) {
      return Optional.empty();
    }
    return Optional.of(calls.call(id, "status", router::status));
  }

  public HostMetrics metrics() {
    return metrics;
  }

  public HostConfig config() {
    return config;
  }

  @Override
  public void close() {
    rescans.shutdownNow();
    timers.shutdownNow();
    workers.values().forEach(RolloutWorker::stop);
    measurers.shutdownNow();
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    routers.values().forEach(TrafficRouter::stop);
    calls.close();
    plugins.close();
  }
}
