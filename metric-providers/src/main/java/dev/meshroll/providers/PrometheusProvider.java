package dev.meshroll.providers;

import dev.meshroll.api.Measurement;
import dev.meshroll.api.MetricProvider;
import dev.meshroll.api.MetricQuery;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.providers.ConfigFields.Header;
import java.io.IOException;
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
import java.util.Optional;

/**
 * The {@code prometheus} provider: one instant query over Prometheus' HTTP API per measurement; a
 * scalar answers a {@code Double}, a vector the {@code List<Double>} of its samples' values.
 */
public final class PrometheusProvider implements MetricProvider {
  private static final List<String> KEYS =
      List.of("address", "query", "timeout", "headers", "bearerToken", "bearerTokenFile");

  private final HttpClient client = HttpCalls.newClient();

  /** A provider with an HTTP client of its own, shared by all its measurements. */
  public PrometheusProvider() {}

  private record Settings(
      URI address,
      String query,
      Optional<Duration> timeout,
      List<Header> headers,
      Optional<String> bearerToken,
      Optional<Path> bearerTokenFile) {}

  @Override
  public String id() {
    return "prometheus";
  }

  @Override
  public List<ValidationProblem> validate(Map<String, Object> config) {
    ConfigFields fields = ConfigFields.ofTemplate(config, KEYS);
    read(fields);
    return fields.problems();
  }

  @Override
  public Measurement measure(MetricQuery query) {
    return CannotMeasure.caught(this, query, () -> measureOrFail(query));
  }

  private Measurement measureOrFail(MetricQuery query) throws CannotMeasure {
    ConfigFields fields = ConfigFields.ofQuery(query.config(), KEYS);
    Settings settings = read(fields).orElseThrow(() -> fields.invalid(id()));
    String source = "prometheus at " + settings.address();
    Duration timeout = HttpCalls.timeout(settings.timeout(), query.timeout());
    HttpResponse<String> response =
        HttpCalls.send(client, request(settings, timeout, source), timeout, source);
    return Measurements.fromPrometheus(source, response.statusCode(), response.body());
  }

  private static Optional<Settings> read(ConfigFields fields) {
    Optional<URI> address = fields.url("address");
    Optional<String> query = fields.requiredString("query");
    Optional<Duration> timeout = fields.duration("timeout");
    List<Header> headers = fields.headers("headers");
    Optional<String> bearerToken = fields.string("bearerToken");
    Optional<Path> bearerTokenFile = fields.parsed("bearerTokenFile", Path::of);
    fields.atMostOne("bearerToken", "bearerTokenFile");
    if (!fields.complete()) {
      return Optional.empty();
    }
    return Optional.of(
        new Settings(
            address.orElseThrow(),
            query.orElseThrow(),
            timeout,
            headers,
            bearerToken,
            bearerTokenFile));
  }

  /**
   * A POST of the query as a form, which Prometheus answers like a GET but without a limit on the
   * query's length; its {@code timeout} makes Prometheus give up when we do.
   */
  private static HttpRequest request(Settings settings, Duration timeout, String source)
      throws CannotMeasure {
    String form =
        "query="
            + URLEncoder.encode(settings.query(), StandardCharsets.UTF_8)
            + "&timeout="
            + timeout.toMillis()
            + "ms";
    URI endpoint =
        URI.create(settings.address().toString().replaceAll("/+$", "") + "/api/v1/query");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    HttpCalls.addHeaders(request, settings.headers());
    Optional<String> token = settings.bearerToken();
    if (settings.bearerTokenFile().isPresent()) {
      token = Optional.of(readToken(settings.bearerTokenFile().get(), source));
    }
    token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
    return request.build();
  }

  /** Read at every measurement: a mounted service-account token is rotated in place. */
  private static String readToken(Path file, String source) throws CannotMeasure {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new CannotMeasure(
          source
              + ": cannot read bearerTokenFile "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }
}
