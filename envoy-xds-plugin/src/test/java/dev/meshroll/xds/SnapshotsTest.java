package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RequestMatch;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.StringMatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests of the rendering: {@code routes/CASE/intent.yaml} over the base in {@code base/}
 * gives {@code routes/CASE/expected.yaml}, or for {@code error-*} cases the message in {@code
 * expected.txt}.
 */
class SnapshotsTest {
  private static final Path CASES = Path.of("src/test/resources/routes");
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Map<String, Object> CONFIG =
      Map.of(
          "routeConfiguration",
          "ingress",
          "virtualHost",
          "reviews",
          "routes",
          List.of("primary"),
          "versions",
          Map.of("stable", "reviews-v1", "canary", "reviews-v2"));

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(CASES)) {
      return dirs.map(dir -> dir.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void renders(String name) throws Exception {
    Path dir = CASES.resolve(name);
    RouteIntent intent = intent(YAML.readValue(dir.resolve("intent.yaml").toFile(), Map.class));
    List<Map<String, Object>> mesh =
        List.of(YAML.readValue(Path.of("src/test/resources/base/grpc.yaml").toFile(), Map.class));
    XdsRouter router = new XdsRouter();
    if (name.startsWith("error-")) {
      assertThatThrownBy(() -> router.render(intent, mesh))
          .isInstanceOf(RouterException.class)
          .hasMessage(Files.readString(dir.resolve("expected.txt")).strip());
      return;
    }
    List<Map<String, Object>> rendered = router.render(intent, mesh);
    assertThat(rendered).hasSize(1);
    assertThat(YAML.writeValueAsString(rendered.get(0)))
        .isEqualTo(Files.readString(dir.resolve("expected.yaml")));
  }

  @SuppressWarnings("unchecked")
  private static RouteIntent intent(Map<String, Object> yaml) {
    Map<String, Object> config = new LinkedHashMap<>(CONFIG);
    ((Map<String, Object>) yaml.getOrDefault("config", Map.of()))
        .forEach(
            (key, value) -> {
              if (value == null) {
                config.remove(key);
              } else {
                config.put(key, value);
              }
            });
    List<String> versions =
        (List<String>) yaml.getOrDefault("versions", List.of("stable", "canary"));
    List<String> managed =
        (List<String>) yaml.getOrDefault("managedRoutes", List.of("tester", "shadow"));
    RolloutRouting routing =
        new RolloutRouting(
            new RolloutRef("bookinfo", "reviews"), versions, Map.of(), managed, config);
    List<HeaderRoute> headers = new ArrayList<>();
    for (Map<String, Object> route :
        (List<Map<String, Object>>) yaml.getOrDefault("headerRoutes", List.of())) {
      List<HeaderMatch> matches = new ArrayList<>();
      for (Map<String, Object> match : (List<Map<String, Object>>) route.get("match")) {
        matches.add(
            new HeaderMatch(
                (String) match.get("headerName"),
                string((Map<String, Object>) match.get("headerValue"))));
      }
      headers.add(
          new HeaderRoute((String) route.get("name"), (String) route.get("version"), matches));
    }
    List<MirrorRoute> mirrors = new ArrayList<>();
    for (Map<String, Object> route :
        (List<Map<String, Object>>) yaml.getOrDefault("mirrorRoutes", List.of())) {
      List<RequestMatch> matches = new ArrayList<>();
      for (Map<String, Object> match : (List<Map<String, Object>>) route.get("match")) {
        Map<String, StringMatch> byHeader = new LinkedHashMap<>();
        ((Map<String, Map<String, Object>>) match.getOrDefault("headers", Map.of()))
            .forEach((header, value) -> byHeader.put(header, string(value)));
        matches.add(
            new RequestMatch(
                Optional.ofNullable((Map<String, Object>) match.get("method"))
                    .map(SnapshotsTest::string),
                Optional.ofNullable((Map<String, Object>) match.get("path"))
                    .map(SnapshotsTest::string),
                byHeader));
      }
      mirrors.add(
          new MirrorRoute(
              (String) route.get("name"),
              (String) route.get("version"),
              (Integer) route.get("percentage"),
              matches));
    }
    return new RouteIntent(
        routing, 7, (Map<String, Integer>) yaml.get("weights"), headers, mirrors);
  }

  private static StringMatch string(Map<String, Object> match) {
    Map.Entry<String, Object> only = match.entrySet().iterator().next();
    return new StringMatch(
        StringMatch.Kind.valueOf(only.getKey().toUpperCase()), (String) only.getValue());
  }
}
