package dev.meshroll.host.cli;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RequestMatch;
import dev.meshroll.api.StringMatch;
import dev.meshroll.host.engine.Traffic;
import java.util.LinkedHashMap;
import java.util.Map;

/** Traffic in the words of the rollout spec, for people to read. */
final class IntentYaml {
  private IntentYaml() {}

  static Map<String, Object> of(String rollout, String step, Traffic traffic) {
    Map<String, Object> intent = new LinkedHashMap<>();
    intent.put("kind", "RouteIntent");
    intent.put("rollout", rollout);
    intent.put("step", step);
    intent.put("generation", traffic.generation());
    intent.put("weights", traffic.weights());
    intent.put(
        "headerRoutes", traffic.headerRoutes().stream().map(IntentYaml::headerRoute).toList());
    intent.put(
        "mirrorRoutes", traffic.mirrorRoutes().stream().map(IntentYaml::mirrorRoute).toList());
    return intent;
  }

  private static Map<String, Object> headerRoute(HeaderRoute route) {
    Map<String, Object> yaml = new LinkedHashMap<>();
    yaml.put("name", route.name());
    yaml.put("version", route.version());
    yaml.put("match", route.match().stream().map(IntentYaml::headerMatch).toList());
    return yaml;
  }

  private static Map<String, Object> headerMatch(HeaderMatch match) {
    Map<String, Object> yaml = new LinkedHashMap<>();
    yaml.put("headerName", match.headerName());
    yaml.put("headerValue", stringMatch(match.headerValue()));
    return yaml;
  }

  private static Map<String, Object> mirrorRoute(MirrorRoute route) {
    Map<String, Object> yaml = new LinkedHashMap<>();
    yaml.put("name", route.name());
    yaml.put("version", route.version());
    yaml.put("percentage", route.percentage());
    yaml.put("match", route.match().stream().map(IntentYaml::requestMatch).toList());
    return yaml;
  }

  private static Map<String, Object> requestMatch(RequestMatch match) {
    Map<String, Object> yaml = new LinkedHashMap<>();
    match.method().ifPresent(method -> yaml.put("method", stringMatch(method)));
    match.path().ifPresent(path -> yaml.put("path", stringMatch(path)));
    if (!match.headers().isEmpty()) {
      Map<String, Object> headers = new LinkedHashMap<>();
      match.headers().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(header -> headers.put(header.getKey(), stringMatch(header.getValue())));
      yaml.put("headers", headers);
    }
    return yaml;
  }

  private static Map<String, String> stringMatch(StringMatch match) {
    return Map.of(match.kind().name().toLowerCase(), match.value());
  }
}
