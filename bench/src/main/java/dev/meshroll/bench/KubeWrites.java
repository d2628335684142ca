package dev.meshroll.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.api.Verification;
import dev.meshroll.host.engine.Decision;
import dev.meshroll.host.engine.Effect;
import dev.meshroll.host.engine.Observation;
import dev.meshroll.host.engine.Phase;
import dev.meshroll.host.engine.Plan;
import dev.meshroll.host.engine.StepEngine;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.SpecFile;
import dev.meshroll.istio.IstioRouter;
import dev.meshroll.smi.SmiRouter;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Kubernetes write economy: a 10-step rollout (weights and a header route) through the real
 * step engine, with the real istio and smi routers against fabric8's mock API server in CRUD mode
 * on 127.0.0.1, counting the API requests each router makes per step: for {@code apply}, for the
 * same {@code apply} again right after (a re-apply with nothing changed), and for {@code verify}.
 * Goal: one write per changed object per step, none on a re-apply.
 *
 * <p>{@code bench/run.sh KubeWrites}.
 */
public final class KubeWrites {
  static final String SPEC =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: reviews, namespace: bookinfo}
      spec:
        strategy:
          canary:
            stableService: reviews-stable
            canaryService: reviews-canary
            trafficRouting:
              managedRoutes: [{name: tester}]
              istio: {virtualService: {name: reviews, routes: [primary]}}
              smi: {rootService: reviews, apiVersion: v1alpha3}
            steps:
            - setHeaderRoute: {name: tester, match: [{headerName: x-canary, headerValue: {exact: "1"}}]}
            - setWeight: 10
            - setWeight: 20
            - setWeight: 30
            - setWeight: 40
            - setWeight: 50
            - setWeight: 60
            - setWeight: 80
            - setHeaderRoute: {name: tester}
            - setWeight: 90
      """;

  private static final ResourceDefinitionContext VIRTUAL_SERVICES =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();

  /**
   * One request as the API server saw it.
   *
   * @param created the name of the object a POST creates (its path has none), else empty
   */
  record Exchange(String method, String path, int code, String created) {
    boolean write() {
      return !method.equals("GET");
    }

    @Override
    public String toString() {
      return method + " " + path + " -> " + code;
    }
  }

  /** What one router call cost. */
  record Calls(List<Exchange> exchanges) {
    long reads() {
      return exchanges.stream().filter(exchange -> !exchange.write()).count();
    }

    long writes() {
      return exchanges.stream().filter(Exchange::write).count();
    }

    String summary() {
      return reads() + "R/" + writes() + "W";
    }
  }

  /** One step of the rollout, for one router. */
  record Row(String step, String router, Calls apply, Calls reapply, Calls verify) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  // Held, so that the level stays: the mock server logs every request at INFO.
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private KubeWrites() {}

  public static void main(String[] args) throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    Recorder recorder = new Recorder();
    KubernetesMockServer api =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), recorder, false);
    api.init(InetAddress.getByName("127.0.0.1"), 0);
    Path folder = Files.createTempDirectory("meshroll-kube-writes");
    Map<String, TrafficRouter> routers = new LinkedHashMap<>();
    try (KubernetesClient client = api.createClient()) {
      seed(client);
      Files.writeString(
          folder.resolve("kube.yaml"),
          """
          apiVersion: v1
          kind: Config
          clusters: [{name: mock, cluster: {server: "http://127.0.0.1:%d"}}]
          users: [{name: bench, user: {token: not-a-secret}}]
          contexts: [{name: mock, context: {cluster: mock, user: bench}}]
          current-context: mock
          """
              .formatted(api.getPort()));
      routers.put("istio", new IstioRouter());
      routers.put("smi", new SmiRouter());
      for (TrafficRouter router : routers.values()) {
        router.start(Map.of("kubeconfig", "kube.yaml"), folder);
      }
      recorder.exchanges.clear();
      List<Row> rows = run(routers, recorder);
      String table = table(rows);
      System.out.println(table);
      Path out = Path.of("bench/target/bench-results");
      Files.createDirectories(out);
      Path file =
          out.resolve(
              "kube-writes-"
                  + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                  + ".md");
      Files.writeString(file, table);
      System.out.println("written to " + file);
    } finally {
      routers.values().forEach(TrafficRouter::stop);
      api.destroy();
      try (var files = Files.walk(folder)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /** The Services and the VirtualService the rollout starts from. */
  private static void seed(KubernetesClient client) {
    for (String service : List.of("reviews", "reviews-stable", "reviews-canary")) {
      client
          .services()
          .inNamespace("bookinfo")
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName(service)
                  .withNamespace("bookinfo")
                  .endMetadata()
                  .withNewSpec()
                  .addNewPort()
                  .withPort(9080)
                  .endPort()
                  .endSpec()
                  .build())
          .create();
    }
    client
        .genericKubernetesResources(VIRTUAL_SERVICES)
        .inNamespace("bookinfo")
        .resource(
            Serialization.unmarshal(
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: reviews, namespace: bookinfo}
                spec:
                  hosts: [reviews]
                  http:
                  - name: primary
                    route:
                    - destination: {host: reviews-stable}
                      weight: 100
                    - destination: {host: reviews-canary}
                      weight: 0
                    timeout: 3s
                """,
                GenericKubernetesResource.class))
        .create();
  }

  /**
   * Plays the host for one rollout: every ApplyTraffic effect goes to each router as apply, the
   * same apply again, then verify (until converged, at most 20 times); the Release effect as
   * release. At most 200 decisions.
   */
  private static List<Row> run(Map<String, TrafficRouter> routers, Recorder recorder)
      throws RouterException, InterruptedException {
    SpecFile file = SpecFile.parse("kube-writes.yaml", SPEC);
    if (!file.problems().isEmpty()) {
      throw new IllegalStateException("the bench rollout is refused: " + file.problems());
    }
    RolloutSpec spec = file.rollouts().get(0);
    Plan plan = Plan.of(spec);
    StepEngine engine = new StepEngine();
    Instant now = Instant.parse("2026-03-01T10:00:00Z");
    List<Row> rows = new ArrayList<>();
    Decision decision = engine.start(spec, now);
    for (int i = 0; i < 200; i++) {
      List<Observation> observations = new ArrayList<>();
      String step =
          decision.status().step() < plan.size()
              ? plan.describe(decision.status().step())
              : "promotion";
      for (Effect effect : decision.effects()) {
        if (effect instanceof Effect.ApplyTraffic apply) {
          for (Map.Entry<String, TrafficRouter> router : routers.entrySet()) {
            RouteIntent intent = plan.intent(router.getKey(), apply.traffic());
            Calls applied = recorder.during(() -> router.getValue().apply(intent));
            Calls reapplied = recorder.during(() -> router.getValue().apply(intent));
            Verification[] verification = new Verification[1];
            Calls verified =
                recorder.during(
                    () -> {
                      for (int tries = 0; tries < 20; tries++) {
                        verification[0] = router.getValue().verify(intent);
                        if (verification[0].state() != Verification.State.PENDING) {
                          return;
                        }
                        Thread.sleep(50);
                      }
                    });
            observations.add(
                new Observation.RouterReport(
                    router.getKey(), apply.traffic().generation(), verification[0]));
            rows.add(
                new Row(
                    step + " (generation " + apply.traffic().generation() + ")",
                    router.getKey(),
                    applied,
                    reapplied,
                    verified));
          }
        } else if (effect instanceof Effect.Release release) {
          for (Map.Entry<String, TrafficRouter> router : routers.entrySet()) {
            RouteIntent intent = plan.intent(router.getKey(), release.traffic());
            Calls released = recorder.during(() -> router.getValue().release(intent));
            Calls again = recorder.during(() -> router.getValue().release(intent));
            rows.add(new Row("release", router.getKey(), released, again, new Calls(List.of())));
          }
        }
      }
      if (decision.status().phase() == Phase.HEALTHY && observations.isEmpty()) {
        return rows;
      }
      if (decision.status().phase() == Phase.DEGRADED) {
        throw new IllegalStateException("the bench rollout aborted: " + decision.status());
      }
      if (observations.isEmpty()) {
        if (decision.wakeAt().isEmpty()) {
          throw new IllegalStateException("the bench rollout waits: " + decision.status());
        }
        now = decision.wakeAt().get();
      }
      decision = engine.decide(spec, decision.status(), now, observations);
    }
    throw new IllegalStateException("the bench rollout did not end within 200 decisions");
  }

  static String table(List<Row> rows) {
    StringBuilder table = new StringBuilder();
    table.append(
        "API requests per router call (R: GET, W: POST/PUT/PATCH/DELETE); re-apply is the same"
            + " intent applied again right after\n\n");
    table.append("| step | router | apply | re-apply | verify | writes of apply |\n");
    table.append("|---|---|---|---|---|---|\n");
    long applyWrites = 0;
    long reapplyWrites = 0;
    long requests = 0;
    for (Row row : rows) {
      table.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s |%n",
              row.step(),
              row.router(),
              row.apply().summary(),
              row.reapply().summary(),
              row.verify().summary(),
              row.apply().exchanges().stream()
                  .filter(Exchange::write)
                  .map(
                      exchange ->
                          exchange.method()
                              + " "
                              + kindAndName(exchange.path())
                              + (exchange.created().isEmpty() ? "" : "/" + exchange.created()))
                  .toList()));
      applyWrites += row.apply().writes();
      reapplyWrites += row.reapply().writes();
      requests +=
          row.apply().exchanges().size()
              + row.reapply().exchanges().size()
              + row.verify().exchanges().size();
    }
    table.append(
        String.format(
            Locale.ROOT,
            "%nTotal: %d requests; %d writes by apply/release, %d by re-applies.%n",
            requests,
            applyWrites,
            reapplyWrites));
    return table.toString();
  }

  /**
   * {@code virtualservices/reviews} from an object's API path; the plural alone from a collection's
   * (a POST's).
   */
  private static String kindAndName(String path) {
    String[] parts = path.split("\\?")[0].split("/");
    int namespaces = java.util.Arrays.asList(parts).indexOf("namespaces");
    if (namespaces < 0 || parts.length <= namespaces + 2) {
      return path;
    }
    return String.join("/", java.util.Arrays.copyOfRange(parts, namespaces + 2, parts.length));
  }

  /** A call to a router that may fail as routers do. */
  private interface RouterCall {
    void run() throws RouterException, InterruptedException;
  }

  /**
   * The CRUD store, answering the SMI API groups' discovery itself, and recording every request.
   * The mock server may call it from several threads.
   */
  private static final class Recorder extends KubernetesCrudDispatcher {
    final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

    /** The requests made while {@code call} ran (the routers make them on the caller's thread). */
    Calls during(RouterCall call) throws RouterException, InterruptedException {
      int from = exchanges.size();
      call.run();
      return new Calls(List.copyOf(exchanges.subList(from, exchanges.size())));
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String created = created(request); // before the store reads the body
      MockResponse response = discovery(request.getPath());
      if (response == null) {
        response = super.dispatch(request);
      }
      exchanges.add(new Exchange(request.getMethod(), request.getPath(), response.code(), created));
      return response;
    }

    private static String created(RecordedRequest request) {
      if (!request.getMethod().equals("POST")) {
        return "";
      }
      try {
        return JSON.readTree(new String(request.getBody().getBytes(), StandardCharsets.UTF_8))
            .path("metadata")
            .path("name")
            .asText("");
      } catch (IOException e) {
        return "?";
      }
    }

    private static MockResponse discovery(String path) {
      for (String group : List.of("split.smi-spec.io", "specs.smi-spec.io")) {
        if (path.equals("/apis/" + group)) {
          APIGroupBuilder answer = new APIGroupBuilder().withName(group);
          for (String version : List.of("v1alpha3", "v1alpha2", "v1alpha1")) {
            answer
                .addNewVersion()
                .withGroupVersion(group + "/" + version)
                .withVersion(version)
                .endVersion();
          }
          answer
              .withNewPreferredVersion()
              .withGroupVersion(group + "/v1alpha3")
              .withVersion("v1alpha3")
              .endPreferredVersion();
          try {
            return new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "application/json")
                .setBody(JSON.writeValueAsString(answer.build()));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
      }
      return null;
    }
  }
}
