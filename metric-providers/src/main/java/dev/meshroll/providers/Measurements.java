package dev.meshroll.providers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.JsonPathException;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.meshroll.api.Measurement;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pure: a source's answer turned into a {@link Measurement}. No client, no clock, no logging. */
final class Measurements {
  /** Refuses trailing content, which Jackson otherwise ignores ({@code {"a":1} garbage}). */
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final Configuration JSON_PATH =
      Configuration.builder()
          .jsonProvider(new JacksonJsonProvider(JSON))
          .mappingProvider(new JacksonMappingProvider(JSON))
          .build();
  private static final int EXCERPT_LENGTH = 200;

  private Measurements() {}

  /**
   * Prometheus' answer to an instant query: a scalar becomes a {@code Double}, a vector the {@code
   * List<Double>} of its samples' values in Prometheus' order.
   *
   * @param source how messages name the server, e.g. {@code prometheus at http://host:9090}
   */
  static Measurement fromPrometheus(String source, int status, String body) {
    JsonNode answer;
    try {
      answer = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      answer = null;
    }
    if (answer != null && "error".equals(answer.path("status").asText())) {
      return new Measurement.Error(
          source + ": " + answer.path("errorType").asText() + ": " + answer.path("error").asText());
    }
    if (!isSuccess(status)) {
      return new Measurement.Error(source + ": HTTP " + status + ": " + excerpt(body));
    }
    if (answer == null || !"success".equals(answer.path("status").asText())) {
      return new Measurement.Error(
          source + ": not an answer of Prometheus' query API: " + excerpt(body));
    }
    JsonNode data = answer.path("data");
    String type = data.path("resultType").asText();
    try {
      if (type.equals("scalar")) {
        double value = sampleValue(data.path("result"));
        return Double.isNaN(value)
            ? new Measurement.NoData("query returned NaN")
            : new Measurement.Value(value);
      }
      if (type.equals("vector")) {
        return fromVector(data.path("result"));
      }
    } catch (IllegalArgumentException e) {
      return new Measurement.Error(source + ": unreadable sample: " + excerpt(body));
    }
    if (type.equals("matrix")) {
      return new Measurement.Error(
          source
              + ": query returned a range vector (matrix); expected an instant vector or a"
              + " scalar (e.g. rate(x[5m]) rather than x[5m])");
    }
    return new Measurement.Error(
        source + ": query returned a " + type + "; expected an instant vector or a scalar");
  }

  private static Measurement fromVector(JsonNode series) {
    if (!series.isArray()) {
      throw new IllegalArgumentException("not a list of series: " + series);
    }
    if (series.isEmpty()) {
      return new Measurement.NoData("query returned no series");
    }
    List<Double> values = new ArrayList<>(series.size());
    for (JsonNode one : series) {
      double value = sampleValue(one.path("value"));
      if (Double.isNaN(value)) {
        return new Measurement.NoData(
            "query returned NaN for series " + labels(one.path("metric")));
      }
      values.add(value);
    }
    return new Measurement.Value(List.copyOf(values));
  }

  /** The value of a {@code [timestamp, "value"]} pair; Prometheus writes infinities its own way. */
  private static double sampleValue(JsonNode sample) {
    if (!sample.isArray() || sample.size() != 2 || !sample.get(1).isTextual()) {
      throw new IllegalArgumentException("not a [timestamp, \"value\"] pair: " + sample);
    }
    String text = sample.get(1).textValue();
    if (text.equals("+Inf")) {
      return Double.POSITIVE_INFINITY;
    }
    if (text.equals("-Inf")) {
      return Double.NEGATIVE_INFINITY;
    }
    return Double.parseDouble(text);
  }

  /** A series as PromQL writes it: {@code requests_total{code="500"}}. */
  private static String labels(JsonNode metric) {
    StringBuilder text = new StringBuilder(metric.path("__name__").asText());
    List<String> pairs = new ArrayList<>();
    for (Map.Entry<String, JsonNode> label : metric.properties()) {
      if (!label.getKey().equals("__name__")) {
        pairs.add(label.getKey() + "=\"" + label.getValue().asText() + "\"");
      }
    }
    return text.append('{').append(String.join(",", pairs)).append('}').toString();
  }

  /**
   * A JSON answer, reduced to what {@code path} selects: numbers become {@code Long} (whole) or
   * {@code Double}, arrays {@code List}, objects {@code Map<String, Object>}; booleans and strings
   * stay as they are.
   *
   * @param source how messages name the call, e.g. {@code GET http://host/health}
   */
  static Measurement fromJson(String source, int status, String body, JsonPath path) {
    if (!isSuccess(status)) {
      return new Measurement.Error(source + ": HTTP " + status + ": " + excerpt(body));
    }
    Object document;
    try {
      document = JSON.readValue(body, Object.class);
    } catch (JsonProcessingException e) {
      return new Measurement.Error(
          source + ": response is not JSON: " + e.getOriginalMessage() + ": " + excerpt(body));
    }
    if (document == null) {
      return new Measurement.NoData("the response is JSON null");
    }
    Object selected;
    try {
      selected = JsonPath.using(JSON_PATH).parse(document).read(path);
    } catch (PathNotFoundException e) {
      return new Measurement.NoData("jsonPath " + path.getPath() + " matched nothing");
    } catch (JsonPathException e) {
      return new Measurement.Error(source + ": jsonPath " + path.getPath() + ": " + e.getMessage());
    }
    if (selected == null) {
      return new Measurement.NoData("jsonPath " + path.getPath() + " selected null");
    }
    // An indefinite path (a filter, a wildcard, ..) answers an empty list when nothing matches.
    if (!path.isDefinite() && selected instanceof Collection<?> matches && matches.isEmpty()) {
      return new Measurement.NoData("jsonPath " + path.getPath() + " matched nothing");
    }
    return new Measurement.Value(normalized(selected));
  }

  private static Object normalized(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() < Long.SIZE ? (Object) big.longValue() : (Object) big.doubleValue();
    }
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, item) -> copy.put(String.valueOf(key), normalized(item)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof Collection<?> items) {
      List<Object> copy = new ArrayList<>(items.size());
      items.forEach(item -> copy.add(normalized(item)));
      return Collections.unmodifiableList(copy);
    }
    return value; // a Boolean, a String, or null inside a list or an object
  }

  /** The start of a body, on one line, for messages. */
  private static String excerpt(String body) {
    String line = body.strip().replaceAll("\\s+", " ");
    if (line.isEmpty()) {
      return "(empty body)";
    }
    return line.length() > EXCERPT_LENGTH ? line.substring(0, EXCERPT_LENGTH) + "…" : line;
  }

  private static boolean isSuccess(int status) {
    return status >= 200 && status < 300;
  }
}
