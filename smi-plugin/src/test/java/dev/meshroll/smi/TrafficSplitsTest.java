package dev.meshroll.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden renderings: for each folder of {@code trafficsplits/}, {@code intent.yaml} (with {@code
 * release: true}, a release) over the objects of {@code given.yaml} renders {@code expected.yaml},
 * or fails with {@code error.txt}. Rendering goes through {@link SmiRouter#render} on a router that
 * was never started, as {@code meshroll plan} calls it.
 */
class TrafficSplitsTest {
  private static final String[] RENDERINGS = {
    "defaults-create-v1alpha3",
    "v1alpha1-quantities",
    "v1alpha2-integers",
    "v1alpha4-keeps-unowned-fields",
    "configured-names",
    "header-route",
    "header-route-v1alpha4",
    "header-route-removed",
    "experiment",
    "experiment-ended",
    "same-shares-unchanged",
    "nothing-to-change",
    "adopt",
    "adopt-leaves-unused-route-names",
    "release-after-abort",
    "release-after-promotion",
    "release-deletes",
    "release-leaves-unmanaged",
    "release-never-applied",
    "plan-objects-without-namespace"
  };

  private static final String[] ERRORS = {
    "error-not-created-by-meshroll",
    "error-other-rollout",
    "error-header-route-v1alpha2",
    "error-mirror-route",
    "error-config"
  };

  static Stream<String> renderings() {
    return Stream.of(RENDERINGS);
  }

  static Stream<String> errors() {
    return Stream.of(ERRORS);
  }

  @ParameterizedTest
  @MethodSource("renderings")
  void rendersTheExpectedObjects(String fixture) throws RouterException {
    String dir = "trafficsplits/" + fixture + "/";

    List<Map<String, Object>> rendered = render(dir);

    assertThat(rendered).isEqualTo(Fixtures.objects(dir + "expected.yaml"));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void refusesWithTheExpectedMessage(String fixture) {
    String dir = "trafficsplits/" + fixture + "/";

    assertThatThrownBy(() -> render(dir))
        .isInstanceOf(RouterException.class)
        .hasMessage(Fixtures.text(dir + "error.txt").strip());
  }

  @Test
  void everyFixtureFolderIsATestCase() throws IOException, URISyntaxException {
    Path root =
        Path.of(TrafficSplitsTest.class.getClassLoader().getResource("trafficsplits").toURI());
    List<String> folders;
    try (Stream<Path> listed = Files.list(root)) {
      folders = listed.map(path -> path.getFileName().toString()).toList();
    }

    assertThat(folders)
        .containsExactlyInAnyOrder(
            Stream.concat(Stream.of(RENDERINGS), Stream.of(ERRORS)).toArray(String[]::new));
  }

  @Test
  void writesANewObjectInKubernetesOrder() throws RouterException {
    List<Map<String, Object>> rendered = render("trafficsplits/defaults-create-v1alpha3/");

    assertThat(rendered.get(0).keySet()).containsExactly("apiVersion", "kind", "metadata", "spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) rendered.get(0).get("spec");
    assertThat(spec.keySet()).containsExactly("service", "backends");
  }

  private static List<Map<String, Object>> render(String dir) throws RouterException {
    Map<String, Object> tree = Fixtures.tree(Fixtures.text(dir + "intent.yaml"));
    RouteIntent intent = Fixtures.intent(tree);
    List<Map<String, Object>> given = Fixtures.objects(dir + "given.yaml");
    if (Boolean.TRUE.equals(tree.get("release"))) {
      SmiConfig config = SmiConfig.from(intent.routing(), Optional.empty());
      return TrafficSplits.forRelease(
              config, config.apiVersion().orElse(SplitVersion.OFFLINE), intent, given)
          .rendered();
    }
    return new SmiRouter().render(intent, given);
  }
}
