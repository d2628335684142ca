package dev.meshroll.istio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a route's room (what other destinations leave) is shared between the versions. */
class WeightsTest {
  private static final RolloutRouting ROUTING =
      new RolloutRouting(
          new RolloutRef("bookinfo", "reviews"),
          List.of("stable", "canary", "baseline", "candidate"),
          Map.of(),
          List.of(),
          Map.of());

  @Test
  void givesExactWeightsWhileTheyFitAndSharesTheRoomWhenNot() {
    for (int canary = 0; canary <= 90; canary++) {
      for (int variants = 0; variants <= 10; variants++) {
        RouteIntent intent =
            intent(100 - canary - variants, canary, variants / 2, variants - variants / 2);
        for (int room = -20; room <= 100; room++) {
          Map<String, Integer> weights = VirtualServices.weights(intent, room);
          int rest = canary + variants;
          assertThat(weights.values()).allSatisfy(w -> assertThat(w).isBetween(0, 100));
          assertThat(weights.values().stream().mapToInt(Integer::intValue).sum())
              .as("canary %d, variants %d, room %d: %s", canary, variants, room, weights)
              .isEqualTo(Math.max(room, 0));
          if (rest <= room) {
            assertThat(weights.get("canary")).isEqualTo(canary);
            assertThat(weights.get("stable")).isEqualTo(room - rest);
          } else {
            assertThat(weights.get("stable")).isZero();
          }
        }
      }
    }
  }

  @Test
  void sharesInProportionWithTiesToTheEarlierVersion() {
    assertThat(VirtualServices.weights(intent(0, 50, 25, 25), 90))
        .containsExactly(
            Map.entry("stable", 0),
            Map.entry("canary", 45),
            Map.entry("baseline", 23),
            Map.entry("candidate", 22));
  }

  @Test
  void leavesOutVariantsWithoutTraffic() {
    assertThat(VirtualServices.weights(intent(90, 10, 0, 0), 100))
        .containsExactly(Map.entry("stable", 90), Map.entry("canary", 10));
  }

  private static RouteIntent intent(int stable, int canary, int baseline, int candidate) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("stable", stable);
    weights.put("canary", canary);
    if (baseline > 0) {
      weights.put("baseline", baseline);
    }
    if (candidate > 0) {
      weights.put("candidate", candidate);
    }
    return new RouteIntent(ROUTING, 1, weights, List.of(), List.of());
  }
}
