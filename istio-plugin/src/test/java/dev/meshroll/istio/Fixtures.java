package dev.meshroll.istio;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RequestMatch;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.StringMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Test fixtures from YAML: mesh objects, and intents in a compact form of their own. */
final class Fixtures {
  static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .build();

  private Fixtures() {}

  static boolean exists(String resource) {
    return Fixtures.class.getClassLoader().getResource(resource) != null;
  }

  static String text(String resource) {
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every non-empty YAML document of a resource, as plain trees. */
  static List<Map<String, Object>> objects(String resource) {
    return documents(text(resource));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> documents(String yaml) {
    List<Map<String, Object>> objects = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(yaml)) {
      while (parser.nextToken() != null) {
        JsonNode node = YAML.readTree(parser);
        if (node != null && node.isObject()) {
          objects.add(YAML.convertValue(node, LinkedHashMap.class));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return objects;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> tree(String yaml) {
    try {
      return YAML.readValue(yaml, LinkedHashMap.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String yaml(Object value) {
    try {
      return YAML.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The routing of an intent fixture: {@code rollout} ("namespace/name", default bookinfo/reviews),
   * {@code versions} (default: stable, canary and every role of {@code weights}), {@code services},
   * {@code managedRoutes} and the router's {@code config}.
   */
  @SuppressWarnings("unchecked")
  static RolloutRouting routing(Map<String, Object> fixture) {
    String[] rollout =
        String.valueOf(fixture.getOrDefault("rollout", "bookinfo/reviews")).split("/");
    Set<String> versions = new LinkedHashSet<>(List.of("stable", "canary"));
    versions.addAll((List<String>) fixture.getOrDefault("versions", List.of()));
    versions.addAll(((Map<String, Object>) fixture.getOrDefault("weights", Map.of())).keySet());
    return new RolloutRouting(
        new RolloutRef(rollout[0], rollout[1]),
        List.copyOf(versions),
        (Map<String, String>) fixture.getOrDefault("services", Map.of()),
        (List<String>) fixture.getOrDefault("managedRoutes", List.of()),
        (Map<String, Object>) fixture.getOrDefault("config", Map.of()));
  }

  /**
   * An intent fixture: the routing's fields, {@code generation}, {@code weights}, {@code
   * headerRoutes} and {@code mirrorRoutes} in Argo's step form plus {@code version}.
   */
  @SuppressWarnings("unchecked")
  static RouteIntent intent(Map<String, Object> fixture) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    ((Map<String, Object>) fixture.getOrDefault("weights", Map.of("stable", 100)))
        .forEach((role, weight) -> weights.put(role, ((Number) weight).intValue()));
    List<HeaderRoute> headerRoutes = new ArrayList<>();
    for (Map<String, Object> route :
        (List<Map<String, Object>>) fixture.getOrDefault("headerRoutes", List.of())) {
      List<HeaderMatch> match = new ArrayList<>();
      for (Map<String, Object> entry : (List<Map<String, Object>>) route.get("match")) {
        match.add(
            new HeaderMatch(
                (String) entry.get("headerName"),
                string((Map<String, Object>) entry.get("headerValue"))));
      }
      headerRoutes.add(
          new HeaderRoute(
              (String) route.get("name"), (String) route.getOrDefault("version", "canary"), match));
    }
    List<MirrorRoute> mirrorRoutes = new ArrayList<>();
    for (Map<String, Object> route :
        (List<Map<String, Object>>) fixture.getOrDefault("mirrorRoutes", List.of())) {
      List<RequestMatch> match = new ArrayList<>();
      for (Map<String, Object> entry : (List<Map<String, Object>>) route.get("match")) {
        Map<String, StringMatch> headers = new LinkedHashMap<>();
        ((Map<String, Object>) entry.getOrDefault("headers", Map.of()))
            .forEach((name, value) -> headers.put(name, string((Map<String, Object>) value)));
        match.add(
            new RequestMatch(
                Optional.ofNullable((Map<String, Object>) entry.get("method"))
                    .map(Fixtures::string),
                Optional.ofNullable((Map<String, Object>) entry.get("path")).map(Fixtures::string),
                headers));
      }
      mirrorRoutes.add(
          new MirrorRoute(
              (String) route.get("name"),
              (String) route.getOrDefault("version", "canary"),
              ((Number) route.get("percentage")).intValue(),
              match));
    }
    return new RouteIntent(
        routing(fixture),
        ((Number) fixture.getOrDefault("generation", 1)).longValue(),
        weights,
        headerRoutes,
        mirrorRoutes);
  }

  private static StringMatch string(Map<String, Object> match) {
    Map.Entry<String, Object> only = match.entrySet().iterator().next();
    return new StringMatch(
        StringMatch.Kind.valueOf(only.getKey().toUpperCase(Locale.ROOT)),
        String.valueOf(only.getValue()));
  }
}
