package dev.meshroll.providers;

import static dev.meshroll.providers.Blocks.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.meshroll.api.Measurement;
import dev.meshroll.api.ValidationProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusProviderTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** A target's first sample is queryable ~5 s after Prometheus starts; then every second. */
  private static final Duration DATA_TIMEOUT = Duration.ofSeconds(20);

  private static final String OK = "requests_total{service=\"reviews\",code=\"200\"}";
  private static final String FAILED = "requests_total{service=\"reviews\",code=\"500\"}";

  private final PrometheusProvider provider = new PrometheusProvider();

  /** Against Debian's prometheus binary, started once for all of them. */
  @Nested
  class AgainstARealPrometheus {
    @TempDir static Path folder;
    static ScrapeTarget target;
    static LocalPrometheus prometheus;

    @BeforeAll
    static void startPrometheus() throws IOException {
      target = ScrapeTarget.start();
      target.set(OK, 0);
      target.set(FAILED, 0);
      target.set("queue_depth{queue=\"a\"}", 3);
      target.set("queue_depth{queue=\"b\"}", 1);
      prometheus = LocalPrometheus.start(folder, List.of(target.hostPort()));
    }

    @AfterAll
    static void stopPrometheus() {
      if (prometheus != null) {
        prometheus.close();
      }
      if (target != null) {
        target.close();
      }
    }

    private Measurement measure(String promql) {
      return provider.measure(
          query(Blocks.of("address", prometheus.address().toString(), "query", promql), TIMEOUT));
    }

    /** Measures until the answer passes, for data Prometheus has yet to scrape. */
    private Measurement measureUntil(
        String promql, Runnable beforeEach, Predicate<Measurement> passes) {
      try {
        return await()
            .atMost(DATA_TIMEOUT)
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  beforeEach.run();
                  return measure(promql);
                },
                passes);
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(
            promql + ": " + e.getMessage() + "\nprometheus log:\n" + prometheus.logTail(), e);
      }
    }

    @Test
    void scalarIsADouble() {
      assertThat(measure("scalar(vector(0.25)) * 2")).isEqualTo(new Measurement.Value(0.5));
    }

    @Test
    void vectorIsTheListOfSampleValues() {
      Measurement result =
          measureUntil("sort(queue_depth)", () -> {}, Measurement.Value.class::isInstance);

      assertThat(result).isEqualTo(new Measurement.Value(List.of(1.0, 3.0)));
    }

    @Test
    void errorRatioOverIncreasingCounters() {
      String ratio =
          "sum(rate(" + FAILED + "[5s])) / sum(rate(requests_total{service=\"reviews\"}[5s]))";

      // Until two scrapes saw the counters grow, the ratio is no series, then NaN (0/0).
      Measurement result =
          measureUntil(
              ratio,
              () -> target.add(Map.of(OK, 9, FAILED, 1)),
              Measurement.Value.class::isInstance);

      assertThat(((Measurement.Value) result).result())
          .asInstanceOf(InstanceOfAssertFactories.LIST)
          .singleElement(InstanceOfAssertFactories.DOUBLE)
          .isCloseTo(0.1, within(1e-9));
    }

    @Test
    void queryWithoutSeriesIsNoData() {
      assertThat(measure("requests_total{service=\"nope\"}"))
          .isEqualTo(new Measurement.NoData("query returned no series"));
    }

    @Test
    void nanIsNoData() {
      assertThat(measure("0/0")).isEqualTo(new Measurement.NoData("query returned NaN"));
    }

    @Test
    void syntaxErrorIsAnErrorInPrometheusWords() {
      assertThat(measure("sum(rate(requests_total[5m]"))
          .isEqualTo(
              new Measurement.Error(
                  "prometheus at "
                      + prometheus.address()
                      + ": bad_data: invalid parameter \"query\": 1:28: parse error: unclosed"
                      + " left parenthesis"));
    }

    @Test
    void rangeVectorIsAnError() {
      Measurement result =
          measureUntil("queue_depth[5s]", () -> {}, Measurement.Error.class::isInstance);

      assertThat(((Measurement.Error) result).message()).contains("range vector (matrix)");
    }
  }

  /** Against a stand-in that records what reaches it. */
  @Nested
  class AgainstAStandIn {
    private static final String ANSWER =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1.7E9,\"1\"]}}";

    @Test
    void sendsQueryHeadersAndBearerToken() throws IOException {
      try (RecordingServer server = RecordingServer.start()) {
        server.reply(200, ANSWER);

        Measurement result =
            provider.measure(
                query(
                    Blocks.of(
                        "address",
                        server.uri("/prometheus/").toString(),
                        "query",
                        "sum(up{job=\"reviews\"})",
                        "headers",
                        List.of(Blocks.of("key", "X-Scope-OrgID", "value", "team-a")),
                        "bearerToken",
                        "s3cret"),
                    TIMEOUT));

        assertThat(result).isEqualTo(new Measurement.Value(1.0));
        RecordingServer.Request request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.pathAndQuery()).isEqualTo("/prometheus/api/v1/query");
        assertThat(request.header("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(request.header("X-Scope-OrgID")).isEqualTo("team-a");
        assertThat(request.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(request.body())
            .isEqualTo("query=sum%28up%7Bjob%3D%22reviews%22%7D%29&timeout=5000ms");
      }
    }

    @Test
    void readsTheBearerTokenFileAtEveryMeasurement(@TempDir Path folder) throws IOException {
      Path token = Files.writeString(folder.resolve("token"), "first\n");
      try (RecordingServer server = RecordingServer.start()) {
        server.reply(200, ANSWER);
        var block =
            Blocks.of(
                "address", server.uri("").toString(),
                "query", "up",
                "bearerTokenFile", token.toString());

        provider.measure(query(block, TIMEOUT));
        Files.writeString(token, "second");
        provider.measure(query(block, TIMEOUT));

        assertThat(server.requests())
            .extracting(request -> request.header("Authorization"))
            .containsExactly("Bearer first", "Bearer second");
      }
    }

    @Test
    void missingBearerTokenFileIsAnError(@TempDir Path folder) {
      Path token = folder.resolve("absent");

      Measurement result =
          provider.measure(
              query(
                  Blocks.of(
                      "address",
                      "http://127.0.0.1:9",
                      "query",
                      "up",
                      "bearerTokenFile",
                      token.toString()),
                  TIMEOUT));

      assertThat(result)
          .isEqualTo(
              new Measurement.Error(
                  "prometheus at http://127.0.0.1:9: cannot read bearerTokenFile "
                      + token
                      + " (NoSuchFileException)"));
    }

    @Test
    void stalledPrometheusEndsInAnErrorNamingTheTimeout() throws IOException {
      try (RecordingServer server = RecordingServer.start()) {
        server.stall();

        Measurement result =
            assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () ->
                    provider.measure(
                        query(
                            Blocks.of(
                                "address",
                                server.uri("").toString(),
                                "query",
                                "up",
                                "timeout",
                                "1s"),
                            TIMEOUT)));

        assertThat(result)
            .isEqualTo(
                new Measurement.Error(
                    "prometheus at " + server.uri("") + ": no answer within the timeout of 1s"));
      }
    }

    @Test
    void unreachableAddressIsAnErrorNamingIt() throws IOException {
      String address;
      try (RecordingServer server = RecordingServer.start()) {
        address = server.uri("").toString();
      }

      Measurement result =
          provider.measure(query(Blocks.of("address", address, "query", "up"), TIMEOUT));

      assertThat(result)
          .isEqualTo(
              new Measurement.Error(
                  "prometheus at "
                      + address
                      + ": cannot connect (connection refused or host unreachable)"));
    }
  }

  @Test
  void validationReportsEveryProblemWithItsField() {
    List<ValidationProblem> problems =
        provider.validate(
            Blocks.of(
                "address", "prometheus:9090",
                "query", " ",
                "timeout", "5 s",
                "headers",
                    List.of(Blocks.of("key", "X-Scope-OrgID", "value", 1), Blocks.of("name", "X")),
                "bearerToken", "s3cret",
                "bearerTokenFile", "/var/run/token",
                "timout", "5s"));

    assertThat(problems)
        .extracting(ValidationProblem::toString)
        .containsExactlyInAnyOrder(
            "timout: unknown key (did you mean 'timeout'?)",
            "address: 'prometheus:9090' is not an http or https URL (expected e.g."
                + " http://host:9090)",
            "query: must not be empty",
            "timeout: '5 s' is not a duration (expected e.g. 500ms, 5s, 1m or 1h30m)",
            "headers[0].value: expected a string, got the number 1 (quote it)",
            "headers[1].name: unknown key (expected one of: key, value)",
            "headers[1].key: is required",
            "headers[1].value: is required",
            "bearerTokenFile: cannot be combined with bearerToken (set either bearerToken or"
                + " bearerTokenFile)");
  }

  @Test
  void validationAcceptsArgoRolloutsExample() {
    List<ValidationProblem> problems =
        provider.validate(
            Blocks.of(
                "address", "http://prometheus.{{args.namespace}}:9090",
                "query",
                    "sum(irate(istio_requests_total{reporter=\"source\",destination_service=~\"{{args.service-name}}\",response_code!~\"5.*\"}[5m]))",
                "timeout", 30));

    assertThat(problems).isEmpty();
  }

  @Test
  void missingKeysAreReportedAndMeasureIsAnError() {
    assertThat(provider.validate(Map.of()))
        .containsExactly(
            new ValidationProblem("address", "is required"),
            new ValidationProblem("query", "is required"));
    assertThat(provider.measure(query(Map.of(), TIMEOUT)))
        .isEqualTo(
            new Measurement.Error(
                "invalid prometheus config: address: is required; query: is required"));
  }
}
