package dev.meshroll.providers;

import static dev.meshroll.providers.Blocks.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.meshroll.api.Measurement;
import dev.meshroll.api.ValidationProblem;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebProviderTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String STATUS =
      """
      {"data": {"rate": 0.95, "count": 42, "ok": true, "name": "reviews",
                "labels": {"zone": "a", "canary": true},
                "checks": [{"name": "db", "latency": 12}, {"name": "cache", "latency": 30.5}],
                "empty": [], "nothing": null}}
      """;

  private final WebProvider provider = new WebProvider();
  private RecordingServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = RecordingServer.start();
    server.reply(200, STATUS);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  static Stream<Arguments> selections() {
    return Stream.of(
        Arguments.of("{$.data.rate}", 0.95),
        Arguments.of("$.data.count", 42L),
        Arguments.of("{.data.ok}", true),
        Arguments.of("$.data.name", "reviews"),
        Arguments.of("$.data.checks[1].latency", 30.5),
        Arguments.of("$.data.checks[*].latency", List.of(12L, 30.5)),
        Arguments.of("$.data.labels", Map.of("zone", "a", "canary", true)),
        Arguments.of("$.data.checks[?(@.latency > 20)].name", List.of("cache")),
        Arguments.of("$.data.empty", List.of()),
        Arguments.of("$.data.checks.length()", 2L));
  }

  @ParameterizedTest
  @MethodSource("selections")
  void selectsWithJsonPath(String jsonPath, Object expected) {
    Measurement result =
        provider.measure(
            query(
                Blocks.of("url", server.uri("/status").toString(), "jsonPath", jsonPath), TIMEOUT));

    assertThat(result).isEqualTo(new Measurement.Value(expected));
  }

  @Test
  void withoutJsonPathTheResultIsTheWholeDocument() {
    server.reply(200, "{\"ok\": true, \"errors\": [0, 1.5]}");

    Measurement result =
        provider.measure(query(Blocks.of("url", server.uri("/").toString()), TIMEOUT));

    assertThat(result)
        .isEqualTo(new Measurement.Value(Map.of("ok", true, "errors", List.of(0L, 1.5))));
    assertThat(server.requests())
        .singleElement()
        .extracting(RecordingServer.Request::method)
        .isEqualTo("GET");
  }

  @Test
  void postsHeadersAndJsonBodyAsConfigured() {
    Measurement result =
        provider.measure(
            query(
                Blocks.of(
                    "url", server.uri("/api/verdict?team=a").toString(),
                    "method", "POST",
                    "headers",
                        List.of(
                            Blocks.of("key", "X-Scope", "value", "team-a"),
                            Blocks.of("key", "Authorization", "value", "Bearer s3cret")),
                    "jsonBody",
                        Blocks.of("service", "reviews", "window", 5, "codes", List.of("5xx", 429)),
                    "jsonPath", "{$.data.ok}"),
                TIMEOUT));

    assertThat(result).isEqualTo(new Measurement.Value(true));
    RecordingServer.Request request = server.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.pathAndQuery()).isEqualTo("/api/verdict?team=a");
    assertThat(request.header("X-Scope")).isEqualTo("team-a");
    assertThat(request.header("Authorization")).isEqualTo("Bearer s3cret");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(request.body())
        .isEqualTo("{\"service\":\"reviews\",\"window\":5,\"codes\":[\"5xx\",429]}");
  }

  @Test
  void putsTheBodyAsWritten() {
    provider.measure(
        query(
            Blocks.of(
                "url",
                server.uri("/").toString(),
                "method",
                "put",
                "headers",
                List.of(Blocks.of("key", "Content-Type", "value", "text/plain")),
                "body",
                "window=5m\n"),
            TIMEOUT));

    RecordingServer.Request request = server.requests().get(0);
    assertThat(request.method()).isEqualTo("PUT");
    assertThat(request.header("Content-Type")).isEqualTo("text/plain");
    assertThat(request.body()).isEqualTo("window=5m\n");
  }

  @Test
  void answerOtherThan2xxIsAnErrorWithItsStatusAndBody() {
    server.reply(503, "upstream   connect error\n or disconnect");

    Measurement result =
        provider.measure(query(Blocks.of("url", server.uri("/status").toString()), TIMEOUT));

    assertThat(result)
        .isEqualTo(
            new Measurement.Error(
                "GET "
                    + server.uri("/status")
                    + ": HTTP 503: upstream connect error or disconnect"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"<html>oops</html>", "{\"ok\": true} trailing", ""})
  void answerThatIsNotJsonIsAnError(String body) {
    server.reply(200, body);

    Measurement result =
        provider.measure(query(Blocks.of("url", server.uri("/").toString()), TIMEOUT));

    assertThat(result).isInstanceOf(Measurement.Error.class);
    assertThat(((Measurement.Error) result).message())
        .startsWith("GET " + server.uri("/") + ": response is not JSON: ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"$.data.missing", "$.data.nothing", "$.data.checks[?(@.latency > 100)]", "$.x.y"})
  void pathThatSelectsNothingIsNoData(String jsonPath) {
    Measurement result =
        provider.measure(
            query(Blocks.of("url", server.uri("/").toString(), "jsonPath", jsonPath), TIMEOUT));

    assertThat(result).isInstanceOf(Measurement.NoData.class);
  }

  @Test
  void stalledServerEndsInAnErrorNamingTheTimeout() {
    server.stall();

    Measurement result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () ->
                provider.measure(
                    query(
                        Blocks.of("url", server.uri("/").toString(), "timeoutSeconds", 1),
                        TIMEOUT)));

    assertThat(result)
        .isEqualTo(
            new Measurement.Error(
                "GET " + server.uri("/") + ": no answer within the timeout of 1s"));
  }

  @Test
  void theHostsTimeoutBoundsALongerConfiguredOne() {
    server.stall();

    Measurement result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () ->
                provider.measure(
                    query(
                        Blocks.of("url", server.uri("/").toString(), "timeout", "1m"),
                        Duration.ofMillis(500))));

    assertThat(result)
        .isEqualTo(
            new Measurement.Error(
                "GET " + server.uri("/") + ": no answer within the timeout of 500ms"));
  }

  @Test
  void closedPortIsAnError() {
    String url = server.uri("/").toString();
    server.close();

    Measurement result = provider.measure(query(Blocks.of("url", url), TIMEOUT));

    assertThat(result).isInstanceOf(Measurement.Error.class);
    assertThat(((Measurement.Error) result).message())
        .startsWith("GET " + url + ": cannot connect");
  }

  @Test
  void validationReportsEveryProblemWithItsField() {
    List<ValidationProblem> problems =
        provider.validate(
            Blocks.of(
                "url", "ftp://example.com/status",
                "method", "DELETE",
                "headers",
                    List.of(
                        Blocks.of("key", "X-Scope"),
                        Blocks.of("key", "Host", "value", "example.com"),
                        Blocks.of("key", "X-Team", "vaule", "a"),
                        "X-Forwarded-For: 1.2.3.4"),
                "body", "a",
                "jsonBody", Blocks.of("a", 1),
                "timeoutSeconds", 0,
                "timeout", "5 s",
                "jsonPath", "$..[?(@.x >",
                "jsonpaht", "$.x"));

    assertThat(problems)
        .extracting(ValidationProblem::toString)
        .containsExactlyInAnyOrder(
            "jsonpaht: unknown key (did you mean 'jsonPath'?)",
            "url: 'ftp://example.com/status' is not an http or https URL (expected e.g."
                + " http://host:9090)",
            "method: 'DELETE' is not supported (expected one of: GET, POST, PUT)",
            "headers[0].value: is required",
            "headers[1]: restricted header name: \"Host\"",
            "headers[2].vaule: unknown key (did you mean 'value'?)",
            "headers[2].value: is required",
            "headers[3]: expected a mapping {key, value}, got the string \"X-Forwarded-For: 1.2.3.4\"",
            "jsonBody: cannot be combined with body (set either body or jsonBody)",
            "timeoutSeconds: 0 is out of range (expected 1 to 3600)",
            "timeout: '5 s' is not a duration (expected e.g. 500ms, 5s, 1m or 1h30m)",
            "timeout: cannot be combined with timeoutSeconds (set either timeoutSeconds or"
                + " timeout)",
            "jsonPath: '$..[?(@.x >' is not a JSONPath: Could not parse token starting at"
                + " position 3. Expected ?, ', 0-9, * (expected e.g. {$.data.ok})");
  }

  @Test
  void validationAcceptsArgoRolloutsExample() {
    List<ValidationProblem> problems =
        provider.validate(
            Blocks.of(
                "url",
                "http://kayenta.{{args.namespace}}.svc/api/v1/verdict",
                "method",
                "POST",
                "headers",
                List.of(Blocks.of("key", "Authorization", "value", "Bearer {{args.token}}")),
                "jsonBody",
                Blocks.of("canary", "{{args.canary-hash}}"),
                "timeoutSeconds",
                20,
                "jsonPath",
                "{$.data.ok}"));

    assertThat(problems).isEmpty();
  }

  @Test
  void valuesWithArgumentsAreCheckedOnlyOnceSubstituted() {
    Map<String, Object> block =
        Blocks.of(
            "url", "{{args.url}}",
            "method", "{{args.method}}",
            "timeoutSeconds", "{{args.timeout}}");

    assertThat(provider.validate(block)).isEmpty();
    assertThat(provider.measure(query(block, TIMEOUT)))
        .isEqualTo(
            new Measurement.Error(
                "invalid web config: url: '{{args.url}}' is not a URL: Illegal character in path"
                    + " (expected e.g. http://host:9090); method: '{{args.method}}' is not"
                    + " supported (expected one of: GET, POST, PUT); timeoutSeconds: expected a"
                    + " whole number, got the string \"{{args.timeout}}\""));
  }
}
