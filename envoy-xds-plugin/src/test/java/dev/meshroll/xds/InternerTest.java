package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InternerTest {
  @Test
  void equalValuesShareTheFirstInstanceAndOthersKeepTheirOwn() {
    Interner<Set<String>> names = new Interner<>();
    Set<String> first = Set.of("reviews-v1", "reviews-v2");
    Set<String> same = new LinkedHashSet<>(List.of("reviews-v2", "reviews-v1"));
    Set<String> other = Set.of("reviews-v1");

    assertThat(names.intern(first)).isSameAs(first);
    assertThat(names.intern(same)).isSameAs(first);
    assertThat(names.intern(other)).isSameAs(other).isEqualTo(Set.of("reviews-v1"));
    assertThat(names.intern(Set.of("reviews-v1", "reviews-v3")))
        .isEqualTo(Set.of("reviews-v1", "reviews-v3"));
  }
}
