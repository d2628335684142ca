package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.meshroll.proto.v1.ExperimentResult;
import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone experiments through the packaged host: two variants routed by weight while one query
 * compares them, each variant named by its target; the result is kept and the routes restored.
 */
class ExperimentE2E {
  /** Each target's error ratio, as the test's metrics endpoint reports it. */
  private static final Map<String, Double> ERROR_RATIOS =
      Map.of("reviews-v1", 0.010, "reviews-v2", 0.012, "reviews-v3", 0.2);

  private static final String TEMPLATE =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: AnalysisTemplate
      metadata: {name: candidate-vs-baseline, namespace: lab}
      spec:
        args: [{name: baseline}, {name: candidate}]
        metrics:
        - name: error-ratio
          interval: 300ms
          count: 2
          # One query answers for both variants: the candidate may err at most 1 point more.
          successCondition: result.candidate <= result.baseline + 0.01
          provider:
            web:
              url: http://127.0.0.1:%d/errors?baseline={{args.baseline}}&candidate={{args.candidate}}
      """;

  /**
   * An experiment of baseline and candidate at 10% each by weight; or, with {@code byHeader}, the
   * candidate reached only by requests with {@code x-variant: candidate}.
   */
  private static String experiment(String name, String candidateTarget, boolean byHeader) {
    return """
        apiVersion: meshroll.dev/v1alpha1
        kind: Experiment
        metadata: {name: %s, namespace: lab}
        spec:
          trafficRouting:
            managedRoutes: [{name: candidate}]
            recorder: {versions: {baseline: reviews-v1, candidate: %s}}
          duration: 3s
          variants:
          - {name: baseline, version: stable, weight: 10}
          - %s
          analyses:
          - name: compare
            templateName: candidate-vs-baseline
            args:
            - {name: baseline, valueFrom: {version: baseline}}
            - {name: candidate, valueFrom: {version: candidate}}
        """
        .formatted(
            name,
            candidateTarget,
            byHeader
                ? "{name: candidate, version: canary, match: [{headerName: x-variant, headerValue:"
                    + " {exact: candidate}}]}"
                : "{name: candidate, version: canary, weight: 10}");
  }

  @Test
  void aCandidateComparedWithItsBaseline(@TempDir Path folder) throws Exception {
    List<String> asked = new CopyOnWriteArrayList<>();
    HttpServer errors = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    errors.createContext(
        "/errors",
        exchange -> {
          String query = exchange.getRequestURI().getQuery();
          asked.add(query);
          Map<String, String> targets = new java.util.LinkedHashMap<>();
          for (String pair : query.split("&")) {
            String[] parts = pair.split("=", 2);
            targets.put(parts[0], parts[1]);
          }
          byte[] body =
              "{\"baseline\": %s, \"candidate\": %s}"
                  .formatted(
                      ERROR_RATIOS.get(targets.get("baseline")),
                      ERROR_RATIOS.get(targets.get("candidate")))
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    errors.start();
    try (HostProcess host = new HostProcess(folder, "").start()) {
      host.writeRollout("template.yaml", TEMPLATE.formatted(errors.getAddress().getPort()));
      host.writeRollout("v2.yaml", experiment("v2", "reviews-v2", false));
      host.writeRollout("v3.yaml", experiment("v3", "reviews-v3", true));

      HostProcess.eventually()
          .until(() -> ended(host.get("lab", "v2")) && ended(host.get("lab", "v3")));

      Rollout v2 = host.get("lab", "v2");
      assertThat(v2.getPhase()).as(v2.toString()).isEqualTo(Phase.HEALTHY);
      assertThat(v2.getStrategy()).isEqualTo("experiment");
      assertThat(v2.getLive()).isEqualTo("stable");
      ExperimentResult passed = v2.getExperiments(0);
      assertThat(passed.getStep()).isEqualTo("experiment");
      assertThat(passed.getResult()).isEqualTo("SUCCESSFUL");
      assertThat(passed.getMessage()).startsWith("compare successful: error-ratio successful");
      assertThat(asked).contains("baseline=reviews-v1&candidate=reviews-v2");

      Rollout v3 = host.get("lab", "v3");
      assertThat(v3.getPhase()).as(v3.toString()).isEqualTo(Phase.DEGRADED);
      assertThat(v3.getExperiments(0).getResult()).isEqualTo("FAILED");
      assertThat(v3.getMessage())
          .isEqualTo(
              "experiment failed: analysis compare failed: error-ratio:"
                  + " {baseline: 0.01, candidate: 0.2} does not meet successCondition"
                  + " `result.candidate <= result.baseline + 0.01`; 1 failed (failureLimit 0);"
                  + " routes restored, fleet converged");

      assertThat(calls("v2", host).get(0))
          .isEqualTo(
              "apply lab/v2 2 {stable=80, canary=0, baseline=10, candidate=10} headers=[]"
                  + " mirrors=[]");
      assertThat(calls("v3", host).get(0))
          .isEqualTo(
              "apply lab/v3 2 {stable=90, canary=0, baseline=10, candidate=0} headers=[candidate]"
                  + " mirrors=[]");
      for (String name : List.of("v2", "v3")) {
        List<String> calls = calls(name, host);
        assertThat(calls.get(calls.size() - 1))
            .matches(
                "release lab/"
                    + name
                    + " \\d+ \\{stable=100, canary=0\\} headers=\\[\\] mirrors=\\[\\]");
      }

      HostProcess.Cli shown = host.cli("get", "lab/v2");
      assertThat(shown.out()).contains("Experiment: experiment successful: compare successful");
    } finally {
      errors.stop(0);
    }
  }

  private static List<String> calls(String experiment, HostProcess host) throws Exception {
    return host.calls().stream().filter(call -> call.contains("lab/" + experiment + " ")).toList();
  }

  private static boolean ended(Rollout rollout) {
    return HostProcess.ended(rollout);
  }
}
