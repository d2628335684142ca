package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.AnalysisMetric;
import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.providers.LocalPrometheus;
import dev.meshroll.providers.ScrapeTarget;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two canaries analysed by a real Prometheus scraping request counters the test controls: the one
 * whose error ratio is low is promoted, the one whose ratio is high is aborted and its traffic
 * returns to stable.
 */
class AnalysisE2E {
  /** Requests per tick and the errors among them, for each version the counters speak of. */
  private static final Map<String, Integer> ERRORS_PER_100 = Map.of("good", 1, "bad", 30);

  private static final String QUERY =
      "sum(rate(requests_total{version=\\\"{{args.version}}\\\",code=\\\"500\\\"}[10s]))"
          + " / sum(rate(requests_total{version=\\\"{{args.version}}\\\"}[10s]))";

  private static String template(URI prometheus) {
    return """
        apiVersion: meshroll.dev/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: error-ratio, namespace: shop}
        spec:
          args: [{name: version}]
          metrics:
          - name: error-ratio
            interval: 1s
            count: 3
            successCondition: result[0] < 0.05
            provider:
              prometheus:
                address: %s
                query: "%s"
        """
        .formatted(prometheus, QUERY);
  }

  private static String rollout(String name, String version) {
    return Rollouts.canary(
        "shop",
        name,
        "{}",
        "setWeight: 20",
        "analysis: {templates: [{templateName: error-ratio}], args: [{name: version, value: "
            + version
            + "}]}",
        "setWeight: 50");
  }

  @Test
  void aLowErrorRatioIsPromotedAndAHighOneRolledBack(@TempDir Path folder) throws Exception {
    ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
    try (ScrapeTarget target = ScrapeTarget.start();
        LocalPrometheus prometheus =
            LocalPrometheus.start(
                Files.createDirectories(folder.resolve("prometheus")), List.of(target.hostPort()));
        HostProcess host = new HostProcess(folder.resolve("host"), "").start()) {
      // 100 requests per version every 100 ms, of which the version's share fails. Bounded: the
      // executor is shut down with the test, and the test itself is bounded by eventually().
      traffic.scheduleAtFixedRate(
          () ->
              ERRORS_PER_100.forEach(
                  (version, errors) ->
                      target.add(
                          Map.of(
                              "requests_total{version=\"" + version + "\",code=\"200\"}",
                              100 - errors,
                              "requests_total{version=\"" + version + "\",code=\"500\"}",
                              errors))),
          0,
          100,
          TimeUnit.MILLISECONDS);
      // Prometheus needs a few scrapes before rate() has two samples: wait for the data, so that
      // the analysis judges ratios, not the start-up of the test's own Prometheus.
      HostProcess.eventually().until(() -> ratio(prometheus.address(), "bad").contains("\"0.3"));

      host.writeRollout("error-ratio.yaml", template(prometheus.address()));
      host.writeRollout("reviews.yaml", rollout("reviews", "good"));
      host.writeRollout("ratings.yaml", rollout("ratings", "bad"));

      HostProcess.eventually()
          .until(
              () -> terminal(host.get("shop", "reviews")) && terminal(host.get("shop", "ratings")));

      Rollout good = host.get("shop", "reviews");
      assertThat(good.getPhase()).as(good.toString()).isEqualTo(Phase.HEALTHY);
      Rollout bad = host.get("shop", "ratings");
      assertThat(bad.getPhase()).as(bad.toString()).isEqualTo(Phase.DEGRADED);
      assertThat(bad.getMessage())
          .matches(
              "aborted: analysis steps\\[1\\] failed: error-ratio: \\[0\\.3\\d*\\] does not meet"
                  + " successCondition `result\\[0\\] < 0\\.05`; 1 failed \\(failureLimit 0\\);"
                  + " rolled back, fleet converged: stable serves all traffic");
      AnalysisMetric measured = bad.getAnalyses(0).getMetrics(0);
      assertThat(measured.getFailed()).isEqualTo(1);
      assertThat(measured.getRecent(0).getValue()).startsWith("[0.3");

      List<String> calls = host.calls();
      assertThat(calls.stream().filter(call -> call.contains("shop/reviews")))
          .containsExactly(
              "apply shop/reviews 2 {stable=80, canary=20} headers=[] mirrors=[]",
              "apply shop/reviews 3 {stable=50, canary=50} headers=[] mirrors=[]",
              "apply shop/reviews 4 {stable=0, canary=100} headers=[] mirrors=[]",
              "release shop/reviews 4 {stable=0, canary=100} headers=[] mirrors=[]");
      assertThat(calls.stream().filter(call -> call.contains("shop/ratings")))
          .containsExactly(
              "apply shop/ratings 2 {stable=80, canary=20} headers=[] mirrors=[]",
              "apply shop/ratings 3 {stable=100, canary=0} headers=[] mirrors=[]",
              "release shop/ratings 3 {stable=100, canary=0} headers=[] mirrors=[]");

      String metrics = host.http("GET", "/metrics", null).body();
      assertThat(metrics)
          .containsPattern(
              "meshroll_analysis_value\\{analysis=\"steps\\[1\\]\",metric=\"error-ratio\","
                  + "name=\"ratings\",namespace=\"shop\"\\} 0\\.3")
          .contains(
              "meshroll_analysis_measurements_total{analysis=\"steps[1]\",metric=\"error-ratio\","
                  + "name=\"reviews\",namespace=\"shop\",outcome=\"successful\"} 3.0");
    } finally {
      traffic.shutdownNow();
    }
  }

  @Test
  void aMetricProviderFromAPluginDecidesTheStep(@TempDir Path folder) throws Exception {
    try (HostProcess host = new HostProcess(folder, "").start()) {
      host.writeRollout(
          "scripted.yaml",
          """
          apiVersion: meshroll.dev/v1alpha1
          kind: AnalysisTemplate
          metadata: {name: scripted, namespace: shop}
          spec:
            metrics:
            - name: latency
              interval: 200ms
              count: 3
              failureCondition: result > 0.5
              provider: {scripted: {values: [0.1, 0.2, 0.9]}}
          """);
      host.writeRollout(
          "cart.yaml",
          Rollouts.canary(
              "shop", "cart", "{}", "setWeight: 20", "analysis: {templates: [{name: scripted}]}"));

      HostProcess.eventually().until(() -> terminal(host.get("shop", "cart")));
      Rollout cart = host.get("shop", "cart");
      assertThat(cart.getMessage())
          .isEqualTo(
              "aborted: analysis steps[1] failed: latency: 0.9 meets failureCondition `result >"
                  + " 0.5`; 1 failed (failureLimit 0); rolled back, fleet converged: stable serves all traffic");
      assertThat(cart.getAnalyses(0).getMetrics(0).getRecentList())
          .extracting(sample -> sample.getValue())
          .containsExactly("0.1", "0.2", "0.9");
    }
  }

  private static boolean terminal(Rollout rollout) {
    return HostProcess.ended(rollout);
  }

  /** Prometheus' own answer for a version's error ratio, as text. */
  private static String ratio(URI prometheus, String version) throws Exception {
    String query = QUERY.replace("\\\"", "\"").replace("{{args.version}}", version);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        prometheus.resolve(
                            "/api/v1/query?query="
                                + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }
}
