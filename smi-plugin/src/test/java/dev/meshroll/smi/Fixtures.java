package dev.meshroll.smi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Test fixtures from {@code src/test/resources}: YAML objects and intents. */
final class Fixtures {
  private static final ObjectMapper YAML = new YAMLMapper();

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

  /** Every YAML document of a resource, as plain trees; none when it does not exist. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> objects(String resource) {
    List<Map<String, Object>> objects = new ArrayList<>();
    if (!exists(resource)) {
      return objects;
    }
    try (JsonParser parser = YAML.createParser(text(resource))) {
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

  /** One YAML document as a tree. */
  static Map<String, Object> tree(String yaml) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> tree = YAML.readValue(yaml, LinkedHashMap.class);
      return tree;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An intent from a tree: {@code rollout: shop/cart}, {@code versions} (default stable, canary),
   * {@code services} (default cart-stable, cart-canary), {@code managedRoutes}, {@code config},
   * {@code generation}, {@code weights}, {@code headerRoutes}, {@code mirrorRoutes}.
   */
  @SuppressWarnings("unchecked")
  static RouteIntent intent(Map<String, Object> tree) {
    String[] rollout = ((String) tree.getOrDefault("rollout", "shop/cart")).split("/");
    RolloutRouting routing =
        new RolloutRouting(
            new RolloutRef(rollout[0], rollout[1]),
            (List<String>) tree.getOrDefault("versions", List.of("stable", "canary")),
            (Map<String, String>)
                tree.getOrDefault(
                    "services", Map.of("stable", "cart-stable", "canary", "cart-canary")),
            (List<String>) tree.getOrDefault("managedRoutes", List.of()),
            (Map<String, Object>) tree.getOrDefault("config", Map.of()));
    List<HeaderRoute> headerRoutes = new ArrayList<>();
    for (Map<String, Object> route :
        (List<Map<String, Object>>) tree.getOrDefault("headerRoutes", List.of())) {
      List<HeaderMatch> matches = new ArrayList<>();
      for (Map<String, Object> match : (List<Map<String, Object>>) route.get("match")) {
        matches.add(
            new HeaderMatch(
                (String) match.get("headerName"),
                stringMatch((Map<String, Object>) match.get("headerValue"))));
      }
      headerRoutes.add(
          new HeaderRoute(
              (String) route.get("name"),
              (String) route.getOrDefault("version", "canary"),
              matches));
    }
    List<MirrorRoute> mirrorRoutes = new ArrayList<>();
    for (Map<String, Object> route :
        (List<Map<String, Object>>) tree.getOrDefault("mirrorRoutes", List.of())) {
      mirrorRoutes.add(
          new MirrorRoute(
              (String) route.get("name"),
              (String) route.getOrDefault("version", "canary"),
              (Integer) route.getOrDefault("percentage", 100),
              List.of(
                  new RequestMatch(
                      Optional.of(StringMatch.exact("GET")), Optional.empty(), Map.of()))));
    }
    return new RouteIntent(
        routing,
        ((Number) tree.getOrDefault("generation", 1)).longValue(),
        (Map<String, Integer>) tree.get("weights"),
        headerRoutes,
        mirrorRoutes);
  }

  private static StringMatch stringMatch(Map<String, Object> value) {
    Map.Entry<String, Object> only = value.entrySet().iterator().next();
    return new StringMatch(
        StringMatch.Kind.valueOf(only.getKey().toUpperCase(Locale.ROOT)),
        String.valueOf(only.getValue()));
  }
}
