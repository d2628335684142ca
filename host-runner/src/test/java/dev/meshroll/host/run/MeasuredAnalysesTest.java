package dev.meshroll.host.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.Measurement;
import dev.meshroll.api.MetricProvider;
import dev.meshroll.api.MetricQuery;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.host.engine.AnalysisRun;
import dev.meshroll.host.engine.MetricResult;
import dev.meshroll.host.engine.Observation.AnalysisReport;
import dev.meshroll.host.engine.RunPhase;
import dev.meshroll.host.spec.AnalysisRef;
import dev.meshroll.host.spec.AnalysisTemplate;
import dev.meshroll.host.spec.SpecFile;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The analysis runner over a scripted provider: reports, verdicts, stops, failures, restarts. */
class MeasuredAnalysesTest {
  private static final RolloutRef ROLLOUT = new RolloutRef("shop", "cart");
  private static final String TEMPLATE =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: AnalysisTemplate
      metadata: {name: checks, namespace: shop}
      spec:
        args: [{name: target}]
        metrics:
        - name: ratio
          interval: 50ms
          count: 3
          successCondition: result < 0.05
          consecutiveErrorLimit: 1
          provider: {scripted: {ask: 'ratio of {{args.target}}'}}
        - name: shadow
          interval: 50ms
          dryRun: true
          successCondition: result < 0.05
          provider: {scripted: {ask: shadow}}
      """;

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService measurers = Executors.newFixedThreadPool(2);
  private final HostMetrics metrics = new HostMetrics();
  private final RouterCalls calls = new RouterCalls(Duration.ofMillis(500), metrics);
  private final Scripted provider = new Scripted();
  private final BlockingQueue<AnalysisReport> reports = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() {
    timers.shutdownNow();
    measurers.shutdownNow();
    calls.close();
  }

  /** A provider whose answers the test writes: for each config, a function of the call count. */
  static final class Scripted implements MetricProvider {
    final List<MetricQuery> queries = new CopyOnWriteArrayList<>();
    final Map<String, Function<Integer, Measurement>> answers =
        new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public String id() {
      return "scripted";
    }

    @Override
    public List<ValidationProblem> validate(Map<String, Object> config) {
      return List.of();
    }

    @Override
    public Measurement measure(MetricQuery query) {
      queries.add(query);
      String ask = (String) query.config().get("ask");
      long asked = queries.stream().filter(q -> q.config().get("ask").equals(ask)).count();
      return answers.get(ask).apply((int) asked);
    }
  }

  private MeasuredAnalyses runner() {
    SpecFile file = SpecFile.parse("checks.yaml", TEMPLATE);
    assertThat(file.problems()).isEmpty();
    Map<RolloutRef, AnalysisTemplate> templates =
        Map.of(file.templates().get(0).ref(), file.templates().get(0));
    return new MeasuredAnalyses(
        Map.of("scripted", provider),
        () -> templates,
        calls,
        timers,
        measurers,
        Clock.systemUTC(),
        Duration.ofMillis(500),
        metrics);
  }

  private static AnalysisRun run(String id, List<MetricResult> stored) {
    return new AnalysisRun(
        id,
        "steps[2]",
        false,
        new AnalysisRef(List.of("checks"), Map.of("target", "cart-canary")),
        RunPhase.RUNNING,
        "",
        stored);
  }

  private AnalysisReport next() throws InterruptedException {
    AnalysisReport report = reports.poll(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(report).as("a report within 5 s").isNotNull();
    return report;
  }

  private AnalysisReport until(RunPhase phase) throws InterruptedException {
    AnalysisReport report;
    do {
      report = next();
    } while (report.phase() != phase);
    return report;
  }

  @Test
  void succeedsAfterCountMeasurementsWithArgumentsSubstituted() throws InterruptedException {
    provider.answers.put("ratio of cart-canary", n -> new Measurement.Value(0.01 * n));
    provider.answers.put("shadow", n -> new Measurement.Value(0.9)); // failing, but a dry run
    runner().start(ROLLOUT, run("r1", List.of()), reports::add);

    AnalysisReport done = until(RunPhase.SUCCESSFUL);
    MetricResult ratio = done.metrics().get(0);
    assertThat(ratio.measured()).isEqualTo(3);
    assertThat(ratio.recent())
        .extracting(MetricResult.Sample::value)
        .containsExactly("0.01", "0.02", "0.03");
    assertThat(done.metrics().get(1).dryRun()).isTrue();
    assertThat(done.metrics().get(1).phase()).isEqualTo(RunPhase.FAILED);
    assertThat(done.message()).startsWith("ratio successful 0.03; shadow (dry run) failed");
    assertThat(provider.queries).extracting(MetricQuery::rollout).containsOnly(ROLLOUT);
    assertThat(provider.queries)
        .extracting(MetricQuery::timeout)
        .containsOnly(Duration.ofMillis(450));

    int asked = provider.queries.size();
    Thread.sleep(200); // the verdict is in: nothing is measured any more
    assertThat(provider.queries).hasSize(asked);
  }

  @Test
  void failsWithTheMetricTheValueAndTheCondition() throws InterruptedException {
    provider.answers.put("ratio of cart-canary", n -> new Measurement.Value(n == 2 ? 0.3 : 0.01));
    provider.answers.put("shadow", n -> new Measurement.Value(0.0));
    runner().start(ROLLOUT, run("r1", List.of()), reports::add);

    assertThat(until(RunPhase.FAILED).message())
        .isEqualTo(
            "ratio: 0.3 does not meet successCondition `result < 0.05`; 1 failed (failureLimit"
                + " 0)");
  }

  @Test
  void aProviderThatThrowsOrHangsGivesErrorsAndTheLimitEndsTheRun() throws InterruptedException {
    provider.answers.put(
        "ratio of cart-canary",
        n -> {
          if (n == 1) {
            throw new IllegalStateException("boom");
          }
          try {
            Thread.sleep(5_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new Measurement.Value(0.0);
        });
    provider.answers.put("shadow", n -> new Measurement.Value(0.0));
    runner().start(ROLLOUT, run("r1", List.of()), reports::add);

    AnalysisReport failed = until(RunPhase.FAILED);
    assertThat(failed.metrics().get(0).recent())
        .extracting(MetricResult.Sample::detail)
        .containsExactly(
            "scripted: measure threw IllegalStateException: boom",
            "scripted: measure did not answer within 0.5s");
    assertThat(failed.message()).startsWith("ratio: 2 errors in a row (consecutiveErrorLimit 1)");
  }

  @Test
  void stopEndsMeasuringAtOnce() throws InterruptedException {
    provider.answers.put("ratio of cart-canary", n -> new Measurement.Value(0.0));
    provider.answers.put("shadow", n -> new Measurement.Value(0.0));
    MeasuredAnalyses runner = runner();
    runner.start(ROLLOUT, run("r1", List.of()), reports::add);
    next();
    runner.stop("r1");
    Thread.sleep(150);
    reports.clear();
    int asked = provider.queries.size();
    Thread.sleep(200);
    assertThat(provider.queries).hasSize(asked);
    assertThat(reports).isEmpty();
  }

  @Test
  void aRestartedRunGoesOnCountingFromItsStoredMetrics() throws InterruptedException {
    provider.answers.put("ratio of cart-canary", n -> new Measurement.Value(0.0));
    provider.answers.put("shadow", n -> new Measurement.Value(0.0));
    MetricResult twoDone =
        new MetricResult(
            "ratio", false, RunPhase.RUNNING, 2, 2, 0, 0, 0, 0, 2, List.of(), "2/3 measured");
    runner().start(ROLLOUT, run("r1", List.of(twoDone)), reports::add);

    AnalysisReport done = until(RunPhase.SUCCESSFUL);
    assertThat(done.metrics().get(0).measured()).isEqualTo(3);
    assertThat(
            provider.queries.stream()
                .filter(q -> q.config().get("ask").toString().startsWith("ratio")))
        .hasSize(1);
  }

  @Test
  void aRunWhoseMetricsHadAllFinishedReportsItsVerdictAtOnce() throws InterruptedException {
    MetricResult done =
        new MetricResult(
            "ratio", false, RunPhase.SUCCESSFUL, 3, 3, 0, 0, 0, 0, 3, List.of(), "3 measured");
    MetricResult shadowDone =
        new MetricResult(
            "shadow", true, RunPhase.FAILED, 1, 0, 1, 0, 0, 0, 1, List.of(), "0.9 failed");
    runner().start(ROLLOUT, run("r1", List.of(done, shadowDone)), reports::add);
    assertThat(next().phase()).isEqualTo(RunPhase.SUCCESSFUL);
    assertThat(provider.queries).isEmpty();
  }

  @Test
  void aTemplateThatVanishedMakesTheRunInconclusive() throws InterruptedException {
    AnalysisRun missing =
        new AnalysisRun(
            "r1",
            "steps[2]",
            false,
            new AnalysisRef(List.of("gone"), Map.of()),
            RunPhase.RUNNING,
            "",
            List.of());
    runner().start(ROLLOUT, missing, reports::add);
    AnalysisReport report = next();
    assertThat(report.phase()).isEqualTo(RunPhase.INCONCLUSIVE);
    assertThat(report.message())
        .isEqualTo(
            "cannot measure: AnalysisTemplate gone is not in namespace shop (no file of the"
                + " rollouts folder declares it)");
  }
}
