package dev.meshroll.providers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import dev.meshroll.api.Measurement;
import dev.meshroll.api.MetricProvider;
import dev.meshroll.api.MetricQuery;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.providers.ConfigFields.Header;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code web} provider, Argo Rollouts' web metric: one HTTP call per measurement, whose JSON
 * answer (or the part of it that {@code jsonPath} selects) is the result.
 */
public final class WebProvider implements MetricProvider {
  private static final List<String> KEYS =
      List.of(
          "url", "method", "headers", "body", "jsonBody", "timeoutSeconds", "timeout", "jsonPath");
  private static final List<String> METHODS = List.of("GET", "POST", "PUT");
  private static final JsonPath WHOLE_DOCUMENT = JsonPath.compile("$");

  private final HttpClient client = HttpCalls.newClient();

  /** A provider with an HTTP client of its own, shared by all its measurements. */
  public WebProvider() {}

  private record Settings(
      URI url,
      String method,
      List<Header> headers,
      Optional<String> body,
      Optional<Object> jsonBody,
      Optional<Duration> timeout,
      JsonPath jsonPath) {}

  @Override
  public String id() {
    return "web";
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
    String source = settings.method() + " " + settings.url();
    Duration timeout = HttpCalls.timeout(settings.timeout(), query.timeout());
    HttpResponse<String> response =
        HttpCalls.send(client, request(settings, source), timeout, source);
    return Measurements.fromJson(
        source, response.statusCode(), response.body(), settings.jsonPath());
  }

  private static Optional<Settings> read(ConfigFields fields) {
    Optional<URI> url = fields.url("url");
    Optional<String> method =
        fields.has("method") ? fields.parsed("method", WebProvider::method) : Optional.of("GET");
    List<Header> headers = fields.headers("headers");
    Optional<String> body = fields.string("body");
    Optional<Object> jsonBody = fields.tree("jsonBody");
    fields.atMostOne("body", "jsonBody");
    if (method.equals(Optional.of("GET"))) {
      // Argo Rollouts refuses a body with GET too: many servers ignore it.
      body.ifPresent(
          text -> fields.refuse("body", "is sent only with POST or PUT (method is GET)"));
      jsonBody.ifPresent(
          tree -> fields.refuse("jsonBody", "is sent only with POST or PUT (method is GET)"));
    }
    Optional<Duration> timeout =
        fields
            .integer("timeoutSeconds", 1, 3600)
            .map(Duration::ofSeconds)
            .or(() -> fields.duration("timeout"));
    fields.atMostOne("timeoutSeconds", "timeout");
    JsonPath jsonPath = fields.parsed("jsonPath", WebProvider::jsonPath).orElse(WHOLE_DOCUMENT);
    if (!fields.complete()) {
      return Optional.empty();
    }
    return Optional.of(
        new Settings(
            url.orElseThrow(), method.orElseThrow(), headers, body, jsonBody, timeout, jsonPath));
  }

  private static String method(String text) {
    String method = text.toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException(
          "'" + text + "' is not supported (expected one of: " + String.join(", ", METHODS) + ")");
    }
    return method;
  }

  /**
   * Argo Rollouts' {@code {$.data.ok}} or {@code {.data.ok}} (Kubernetes' JSONPath template), or
   * json-path's own {@code $.data.ok}.
   */
  private static JsonPath jsonPath(String text) {
    String path = text.strip();
    if (path.startsWith("{") && path.endsWith("}")) {
      path = path.substring(1, path.length() - 1).strip();
    }
    // Kubernetes reads .data.ok from the root; json-path would read it as a deep scan, ..data.ok.
    if (path.startsWith(".") && !path.startsWith("..")) {
      path = "$" + path;
    }
    try {
      return JsonPath.compile(path);
    } catch (InvalidPathException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a JSONPath: "
              + e.getMessage().strip()
              + " (expected e.g. {$.data.ok})");
    }
  }

  private static HttpRequest request(Settings settings, String source) throws CannotMeasure {
    HttpRequest.Builder request = HttpRequest.newBuilder(settings.url());
    HttpCalls.addHeaders(request, settings.headers());
    String body = settings.body().orElse("");
    if (settings.jsonBody().isPresent()) {
      body = json(settings.jsonBody().get(), source);
      boolean typed =
          settings.headers().stream().anyMatch(h -> h.key().equalsIgnoreCase("Content-Type"));
      if (!typed) {
        request.header("Content-Type", "application/json");
      }
    }
    return request
        .method(
            settings.method(),
            settings.method().equals("GET")
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static String json(Object tree, String source) throws CannotMeasure {
    try {
      return Measurements.JSON.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new CannotMeasure(source + ": jsonBody cannot be written as JSON: " + e.getMessage());
    }
  }
}
