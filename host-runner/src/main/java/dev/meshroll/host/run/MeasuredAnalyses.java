package dev.meshroll.host.run;

import dev.meshroll.api.Measurement;
import dev.meshroll.api.MetricProvider;
import dev.meshroll.api.MetricQuery;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RouterException;
import dev.meshroll.host.analysis.AnalysisSetup;
import dev.meshroll.host.analysis.AnalysisSetup.ReadyMetric;
import dev.meshroll.host.analysis.MetricLifecycle;
import dev.meshroll.host.engine.AnalysisRun;
import dev.meshroll.host.engine.MetricResult;
import dev.meshroll.host.engine.Observation.AnalysisReport;
import dev.meshroll.host.engine.RunPhase;
import dev.meshroll.host.spec.AnalysisTemplate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Measures analysis runs: each metric on its own schedule, through its provider with the host's
 * plugin timeout, judged by {@link MetricLifecycle}; every measurement is reported to the rollout
 * with all the run's metrics, and the run stops measuring once its verdict is in.
 */
final class MeasuredAnalyses implements AnalysisRuns {
  private final Map<String, MetricProvider> providers;
  private final Supplier<Map<RolloutRef, AnalysisTemplate>> templates;
  private final RouterCalls calls;
  private final ScheduledExecutorService timers;
  private final ExecutorService measurers;
  private final Clock clock;
  private final Duration timeout;
  private final HostMetrics metrics;
  private final Map<String, Run> runs = new ConcurrentHashMap<>();

  /**
   * @param templates the AnalysisTemplates loaded now, by namespace and name
   * @param measurers the threads that wait for providers (each waits at most {@code timeout})
   */
  MeasuredAnalyses(
      Map<String, MetricProvider> providers,
      Supplier<Map<RolloutRef, AnalysisTemplate>> templates,
      RouterCalls calls,
      ScheduledExecutorService timers,
      ExecutorService measurers,
      Clock clock,
      Duration timeout,
      HostMetrics metrics) {
    this.providers = Map.copyOf(providers);
    this.templates = templates;
    this.calls = calls;
    this.timers = timers;
    this.measurers = measurers;
    this.clock = clock;
    this.timeout = timeout;
    this.metrics = metrics;
  }

  @Override
  public void start(RolloutRef rollout, AnalysisRun run, Consumer<AnalysisReport> report) {
    AnalysisSetup.Setup setup =
        AnalysisSetup.resolve(rollout, run.analysis(), templates.get(), providers.keySet());
    List<String> problems = setup.problems();
    if (!problems.isEmpty()) {
      // Checked when the rollout was admitted; a template changed or vanished since.
      report.accept(
          new AnalysisReport(
              run.id(), RunPhase.INCONCLUSIVE, "cannot measure: " + String.join("; ", problems)));
      return;
    }
    Run measured = new Run(rollout, run, setup.metrics(), report);
    if (runs.putIfAbsent(run.id(), measured) == null) {
      measured.begin();
    }
  }

  @Override
  public void stop(String runId) {
    Run run = runs.remove(runId);
    if (run != null) {
      run.cancel();
    }
  }

  /** One run being measured. Its state changes under its own lock. */
  private final class Run {
    private final RolloutRef rollout;
    private final AnalysisRun run;
    private final Consumer<AnalysisReport> report;
    private final Map<String, ReadyMetric> ready = new LinkedHashMap<>();
    private final Map<String, MetricResult> results = new LinkedHashMap<>();
    private final Map<String, Future<?>> pending = new LinkedHashMap<>();
    private final Instant startedAt;
    private boolean stopped;

    Run(
        RolloutRef rollout,
        AnalysisRun run,
        List<ReadyMetric> metrics,
        Consumer<AnalysisReport> report) {
      this.rollout = rollout;
      this.run = run;
      this.report = report;
      this.startedAt = clock.instant();
      Map<String, MetricResult> stored = new LinkedHashMap<>();
      run.metrics().forEach(result -> stored.put(result.name(), result));
      for (ReadyMetric metric : metrics) {
        String name = metric.metric().name();
        ready.put(name, metric);
        // A restarted host goes on counting where the stored status stopped.
        results.put(name, stored.getOrDefault(name, MetricLifecycle.begin(metric.metric())));
      }
    }

    synchronized void begin() {
      ready.keySet().forEach(this::schedule);
      if (pending.isEmpty()) {
        reportVerdict(); // every stored metric had finished before a restart
      }
    }

    synchronized void cancel() {
      stopped = true;
      pending.values().forEach(future -> future.cancel(true));
      pending.clear();
    }

    private void schedule(String name) {
      AnalysisTemplate.Metric metric = ready.get(name).metric();
      MetricLifecycle.nextAt(metric, results.get(name), startedAt)
          .ifPresent(
              at -> {
                long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
                pending.put(
                    name, timers.schedule(() -> dispatch(name), delay, TimeUnit.MILLISECONDS));
              });
    }

    /** Hands a due measurement to a measurer thread; timers must never wait for providers. */
    private synchronized void dispatch(String name) {
      if (!stopped) {
        pending.put(name, measurers.submit(() -> measure(name)));
      }
    }

    private void measure(String name) {
      ReadyMetric metric = ready.get(name);
      MetricProvider provider = providers.get(metric.metric().provider());
      // The provider gets a little less than the host waits, so that its own timeout (with its
      // own words) wins the race against the host's.
      MetricQuery query =
          new MetricQuery(rollout, name, metric.config(), timeout.multipliedBy(9).dividedBy(10));
      Measurement measurement;
      try {
        measurement = calls.call(provider.id(), "measure", () -> provider.measure(query));
        if (measurement == null) {
          measurement = new Measurement.Error(provider.id() + " returned no measurement");
        }
      } catch (RouterException e) {
        measurement = new Measurement.Error(e.getMessage());
      }
      record(name, measurement);
    }

    private synchronized void record(String name, Measurement measurement) {
      if (stopped) {
        return;
      }
      pending.remove(name);
      AnalysisTemplate.Metric metric = ready.get(name).metric();
      MetricResult.Sample sample = MetricLifecycle.judge(metric, measurement, clock.instant());
      results.put(name, MetricLifecycle.record(metric, results.get(name), sample));
      metrics.measured(rollout, run.name(), name, sample.outcome(), measurement);
      if (!reportVerdict()) {
        schedule(name);
      }
    }

    /** Reports the run as it stands; once its verdict is in, stops it. Returns whether it is. */
    private boolean reportVerdict() {
      MetricLifecycle.Verdict verdict = MetricLifecycle.verdict(List.copyOf(results.values()));
      if (verdict.phase().finished()) {
        cancel();
        runs.remove(run.id(), this);
      }
      report.accept(
          new AnalysisReport(
              run.id(), verdict.phase(), verdict.message(), List.copyOf(results.values())));
      return verdict.phase().finished();
    }
  }
}
