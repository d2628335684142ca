package dev.meshroll.smi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.ValidationProblem;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The {@code smi} block: defaults, and every problem with its exact message. */
class SmiConfigTest {
  private static final RolloutRef CART = new RolloutRef("shop", "cart");
  private static final Map<String, String> SERVICES =
      Map.of("stable", "cart-stable", "canary", "cart-canary");

  @Test
  void defaultsToTheRolloutsNameAndTheStableService() {
    SmiConfig config = SmiConfig.from(routing(List.of(), SERVICES, Map.of()), Optional.empty());

    assertThat(config.problems()).isEmpty();
    assertThat(config.trafficSplitName()).isEqualTo("cart");
    assertThat(config.rootService()).isEqualTo("cart-stable");
    assertThat(config.namespace()).isEqualTo("shop");
    assertThat(config.apiVersion()).isEmpty();
    assertThat(config.adopt()).isFalse();
    assertThat(config.deleteOnRelease()).isFalse();
    assertThat(config.split(SplitVersion.V1ALPHA2))
        .isEqualTo(new ObjectRef("split.smi-spec.io/v1alpha2", "TrafficSplit", "shop", "cart"));
  }

  @Test
  void takesArgoRolloutsKeysAndItsOwn() {
    SmiConfig config =
        SmiConfig.from(
            routing(
                List.of("baseline"),
                SERVICES,
                Map.of(
                    "trafficSplitName", "cart-split",
                    "rootService", "cart",
                    "apiVersion", "split.smi-spec.io/v1alpha1",
                    "variantServices", Map.of("baseline", "cart-baseline"),
                    "adopt", true,
                    "onRelease", "delete")),
            Optional.of("payments"));

    assertThat(config.problems()).isEmpty();
    assertThat(config.trafficSplitName()).isEqualTo("cart-split");
    assertThat(config.rootService()).isEqualTo("cart");
    assertThat(config.namespace()).isEqualTo("payments");
    assertThat(config.apiVersion()).contains(SplitVersion.V1ALPHA1);
    assertThat(config.services())
        .containsExactly(
            Map.entry("stable", "cart-stable"),
            Map.entry("canary", "cart-canary"),
            Map.entry("baseline", "cart-baseline"));
    assertThat(config.adopt()).isTrue();
    assertThat(config.deleteOnRelease()).isTrue();
  }

  @Test
  void listsEveryProblemAtOnce() {
    SmiConfig config =
        SmiConfig.from(
            routing(
                List.of("baseline", "candidate"),
                Map.of("stable", "cart-stable"),
                Map.of(
                    "trafficSplitName",
                    "Cart_Split",
                    "apiVersion",
                    3,
                    "variantServices",
                    Map.of("ghost", "cart-ghost", "candidate", "Cart"),
                    "adopt",
                    "yes",
                    "onRelease",
                    "archive",
                    "weights",
                    10)),
            Optional.empty());

    assertThat(config.problems())
        .extracting(ValidationProblem::toString)
        .containsExactlyInAnyOrder(
            "weights: smi: unknown key 'weights' (expected one of: [adopt, apiVersion, onRelease,"
                + " rootService, trafficSplitName, variantServices])",
            "trafficSplitName: smi: TrafficSplit name 'Cart_Split' is not a valid Kubernetes name"
                + " (expected lower-case letters, digits, '-' and '.', starting and ending with a"
                + " letter or digit)",
            "apiVersion: smi: expected a non-empty string, got '3'",
            "adopt: smi: expected true or false, got 'yes'",
            "onRelease: smi: 'archive' is not a release action (expected one of: [keep, delete])",
            "variantServices.ghost: smi: 'ghost' is not an experiment variant of this rollout"
                + " (expected one of: [baseline, candidate])",
            "variantServices.candidate: smi: 'Cart' is not a valid Service name (expected at most"
                + " 63 lower-case letters, digits and '-', starting with a letter)",
            "smi: version 'canary' has no Service (expected the strategy's canaryService or"
                + " previewService)",
            "variantServices: smi: experiment variant 'baseline' has no Service (expected"
                + " variantServices.baseline)");
  }

  @Test
  void wantsAServicePerVersion() {
    SmiConfig config =
        SmiConfig.from(
            routing(
                List.of("baseline"),
                SERVICES,
                Map.of("variantServices", Map.of("baseline", "cart-stable"))),
            Optional.empty());

    assertThat(config.problems())
        .extracting(ValidationProblem::toString)
        .containsExactly(
            "variantServices.baseline: smi: versions 'stable' and 'baseline' both use Service"
                + " cart-stable (expected a Service per version, or the split cannot tell them"
                + " apart)");
  }

  @Test
  void wantsManagedRoutesThatMakeValidNames() {
    RolloutRouting routing =
        new RolloutRouting(
            CART, List.of("stable", "canary"), SERVICES, List.of("tester", "QA_team"), Map.of());

    assertThat(SmiConfig.from(routing, Optional.empty()).problems())
        .extracting(ValidationProblem::toString)
        .containsExactly(
            "smi: managed route 'QA_team' gives its TrafficSplit and HTTPRouteGroup the name"
                + " 'cart-QA_team', which is not a valid Kubernetes name (expected lower-case"
                + " letters, digits, '-' and '.', starting and ending with a letter or digit)");
  }

  @Test
  void namesEachServiceOnceWithWhereItComesFrom() {
    SmiConfig config =
        SmiConfig.from(
            routing(
                List.of("baseline"),
                SERVICES,
                Map.of("rootService", "cart", "variantServices", Map.of("baseline", "cart-base"))),
            Optional.empty());

    assertThat(config.serviceUses())
        .containsExactly(
            new SmiConfig.ServiceUse("cart-stable", "", "stableService"),
            new SmiConfig.ServiceUse("cart-canary", "", "canaryService"),
            new SmiConfig.ServiceUse(
                "cart-base", "variantServices.baseline", "variantServices.baseline"),
            new SmiConfig.ServiceUse("cart", "rootService", "rootService"));
  }

  @Test
  void validationWithoutAClusterChecksWhatItCan() {
    RolloutRouting routing =
        new RolloutRouting(
            CART,
            List.of("stable", "canary"),
            SERVICES,
            List.of("tester"),
            Map.of("apiVersion", "v1alpha2"));

    assertThat(new SmiRouter().validate(routing))
        .extracting(ValidationProblem::toString)
        .containsExactly(
            "apiVersion: smi: managed routes [tester] need TrafficSplit matches, which"
                + " split.smi-spec.io/v1alpha2 does not have (expected apiVersion v1alpha3 or"
                + " v1alpha4)",
            "smi: the router is not connected to a cluster (not started): nothing was checked"
                + " there");
  }

  private static RolloutRouting routing(
      List<String> variants, Map<String, String> services, Map<String, Object> config) {
    List<String> versions =
        Stream.concat(Stream.of("stable", "canary"), variants.stream()).toList();
    return new RolloutRouting(CART, versions, services, List.of(), config);
  }
}
