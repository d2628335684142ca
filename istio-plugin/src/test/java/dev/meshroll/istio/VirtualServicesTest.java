package dev.meshroll.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden tests of the pure rendering: {@code virtualservices/<case>/given.yaml} (the objects
 * found), {@code intent.yaml} (see {@link Fixtures#intent}; {@code release: true} renders the
 * release) and either {@code expected.yaml} (the objects written, nothing when unchanged) or {@code
 * error.txt} (the exact message refused with).
 */
class VirtualServicesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "host-split-20",
        "subset-split-30",
        "implicit-single-route",
        "named-route-of-several",
        "several-named-routes",
        "other-host-keeps-weight",
        "additional-subset-keeps-weight",
        "promotion-beside-other-host",
        "header-route-exact",
        "header-route-or-of-kinds",
        "header-route-subset",
        "mirror-route-method",
        "mirror-route-path-and-headers",
        "managed-routes-in-order",
        "managed-route-removed",
        "managed-route-replaced",
        "managed-route-within-base-match",
        "mirror-drops-disjoint-matches",
        "mirror-beside-existing-mirror",
        "unmanaged-fields-kept",
        "tls-route-by-sni",
        "tcp-route-by-port",
        "several-virtualservices",
        "experiment-host-variants",
        "experiment-subset-variants",
        "experiment-ended",
        "release-after-abort",
        "release-after-promotion",
        "nothing-to-change",
        "variant-keeps-port",
        "fully-qualified-hosts",
        "name-dot-namespace",
        "delegate-and-redirect-kept",
        "plan-objects-without-namespace"
      })
  void rendersIntent(String fixture) throws RouterException {
    String dir = "virtualservices/" + fixture + "/";
    List<Map<String, Object>> written = render(dir);
    List<Map<String, Object>> expected = Fixtures.objects(dir + "expected.yaml");
    assertThat(json(written))
        .as("%s:%n%s", fixture, Fixtures.yaml(written))
        .isEqualTo(json(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "error-route-not-found",
        "error-ambiguous-unnamed-route",
        "error-no-canary-destination",
        "error-virtualservice-missing",
        "error-others-exceed-100",
        "error-duplicate-route-names",
        "error-destination-without-host",
        "error-regex-cannot-combine",
        "error-unknown-subset-in-route",
        "error-tls-route-not-found",
        "error-managed-route-never-matches"
      })
  void refusesIntent(String fixture) {
    String dir = "virtualservices/" + fixture + "/";
    assertThatThrownBy(() -> render(dir))
        .isInstanceOf(RouterException.class)
        .hasMessage(Fixtures.text(dir + "error.txt").strip());
  }

  private static List<Map<String, Object>> render(String dir) throws RouterException {
    Map<String, Object> fixture = Fixtures.tree(Fixtures.text(dir + "intent.yaml"));
    RouteIntent intent = Fixtures.intent(fixture);
    List<Map<String, Object>> given = Fixtures.objects(dir + "given.yaml");
    IstioConfig config = IstioConfig.from(intent.routing(), Optional.empty());
    if (Boolean.TRUE.equals(fixture.get("release"))) {
      return Rendering.forRelease(config, intent, given).written();
    }
    return new IstioRouter().render(intent, given);
  }

  private static JsonNode json(Object value) {
    return Fixtures.YAML.valueToTree(value);
  }
}
