package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which resources a NACK's message names, as Envoy and gRPC write them. */
class NacksTest {
  private static final List<String> SENT = List.of("reviews-v1", "reviews-v10", "reviews.v2");

  @Test
  void aNameCountsOnlyAsAWholeWord() {
    assertThat(Nacks.named("Error adding/updating cluster(s) reviews-v10: bad", SENT))
        .containsExactly("reviews-v10");
    assertThat(Nacks.named("CDS response Cluster 'reviews-v1' validation error: x", SENT))
        .containsExactly("reviews-v1");
  }

  @Test
  void aDotEndsANameOnlyAtTheEndOfASentence() {
    assertThat(Nacks.named("unsupported lb_policy in reviews-v1.", SENT))
        .containsExactly("reviews-v1");
    assertThat(Nacks.named("cluster reviews.v2 and reviews-v1.x are bad", SENT))
        .containsExactly("reviews.v2");
  }

  @Test
  void grpcJsNamesAResourceByItsIndexInTheResponse() {
    assertThat(
            Nacks.named(
                "xDS response validation errors: [resource index 1: Cluster message validation"
                    + " failed: [load_balancing_policy unset and unsupported lb_policy: MAGLEV]]",
                SENT))
        .containsExactly("reviews-v10");
    assertThat(Nacks.named("resource index 7: out of range", SENT)).isEmpty();
  }

  @Test
  void aMessageNamingNoneRejectsTheWholeResponse() {
    assertThat(Nacks.named("load_balancing_policy unset and unsupported lb_policy", SENT))
        .isEmpty();
  }
}
