package dev.meshroll.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteIntentTest {
  private static final RolloutRouting ROUTING =
      new RolloutRouting(
          new RolloutRef("bookinfo", "reviews"),
          List.of("stable", "canary", "baseline"),
          Map.of("stable", "reviews-stable", "canary", "reviews-canary"),
          List.of("tester", "shadow"),
          Map.of("routes", List.of("primary")));

  private static final HeaderRoute TESTER =
      new HeaderRoute(
          "tester", "canary", List.of(new HeaderMatch("x-canary", StringMatch.exact("1"))));

  private static final MirrorRoute SHADOW =
      new MirrorRoute(
          "shadow",
          "canary",
          50,
          List.of(
              new RequestMatch(Optional.of(StringMatch.exact("GET")), Optional.empty(), Map.of())));

  @Test
  void keepsTheOrderOfWeights() {
    var intent = new RouteIntent(ROUTING, 3, weights(80, 15, 5), List.of(TESTER), List.of(SHADOW));

    assertThat(intent.weights().keySet()).containsExactly("stable", "canary", "baseline");
    assertThat(intent.weightOf("canary")).isEqualTo(15);
    assertThat(intent.weightOf("candidate")).isZero();
    assertThat(intent.config()).containsEntry("routes", List.of("primary"));
  }

  @Test
  void refusesWeightsThatDoNotSumToHundred() {
    assertThatThrownBy(() -> new RouteIntent(ROUTING, 1, weights(80, 10), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "bookinfo/reviews generation 1: weights {stable=80, canary=10} sum to 90 (expected: 100)");
  }

  @Test
  void refusesAWeightForAnUnknownVersion() {
    var weights = new LinkedHashMap<String, Integer>();
    weights.put("stable", 90);
    weights.put("preview", 10);
    assertThatThrownBy(() -> new RouteIntent(ROUTING, 1, weights, List.of(), List.of()))
        .hasMessage("bookinfo/reviews generation 1: weight for unknown version 'preview'");
  }

  @Test
  void refusesARouteThatIsNotManaged() {
    var route = new HeaderRoute("other", "canary", TESTER.match());
    assertThatThrownBy(
            () -> new RouteIntent(ROUTING, 1, weights(100, 0), List.of(route), List.of()))
        .hasMessage(
            "bookinfo/reviews generation 1: route 'other' is not in managedRoutes [tester, shadow]");
  }

  @Test
  void refusesARouteSetTwice() {
    var mirror = new MirrorRoute("tester", "canary", 100, SHADOW.match());
    assertThatThrownBy(
            () -> new RouteIntent(ROUTING, 1, weights(100, 0), List.of(TESTER), List.of(mirror)))
        .hasMessage("bookinfo/reviews generation 1: route 'tester' is set twice");
  }

  @Test
  void freezesTheConfigDeeply() {
    var routes = new ArrayList<Object>(List.of("primary"));
    var config = new LinkedHashMap<String, Object>(Map.of("routes", routes));
    var routing =
        new RolloutRouting(ROUTING.rollout(), ROUTING.versions(), Map.of(), List.of(), config);
    routes.add("secondary");

    assertThat(routing.config()).containsEntry("routes", List.of("primary"));
    assertThatThrownBy(() -> ((List<?>) routing.config().get("routes")).clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void needsStableAndCanaryFirst() {
    assertThatThrownBy(
            () ->
                new RolloutRouting(
                    ROUTING.rollout(), List.of("canary", "stable"), Map.of(), List.of(), Map.of()))
        .hasMessage("bookinfo/reviews: versions [canary, stable] must start with [stable, canary]");
  }

  private static Map<String, Integer> weights(int... percents) {
    var names = List.of("stable", "canary", "baseline");
    var weights = new LinkedHashMap<String, Integer>();
    for (int i = 0; i < percents.length; i++) {
      weights.put(names.get(i), percents[i]);
    }
    return weights;
  }
}
