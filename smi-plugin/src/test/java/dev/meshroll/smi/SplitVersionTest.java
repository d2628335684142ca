package dev.meshroll.smi;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SplitVersionTest {

  @ParameterizedTest
  @CsvSource({
    "900m, 0.9",
    "100m, 0.1",
    "1, 1",
    "0, 0",
    "1.5, 1.5",
    ".5, 0.5",
    "1e3, 1000",
    "1E3, 1000",
    "5k, 5000",
    "2Ki, 2048",
    "1E, 1000000000000000000",
    "1Ei, 1152921504606846976",
    "250u, 0.00025"
  })
  void readsKubernetesQuantities(String quantity, String amount) {
    assertThat(SplitVersion.amount(quantity))
        .hasValueSatisfying(value -> assertThat(value).isEqualByComparingTo(amount));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "1x", "m", "1mi", "1K", "--1", "1e99999"})
  void refusesWhatIsNoQuantity(String text) {
    assertThat(SplitVersion.amount(text)).isEmpty();
  }

  @Test
  void readsNumbersAsTheyAre() {
    assertThat(SplitVersion.amount(90)).contains(new BigDecimal("90"));
    assertThat(SplitVersion.amount(List.of())).isEmpty();
  }

  @Test
  void writesQuantitiesOnlyInV1alpha1() {
    assertThat(SplitVersion.V1ALPHA1.weight(90)).isEqualTo("90");
    assertThat(SplitVersion.V1ALPHA2.weight(90)).isEqualTo(90);
    assertThat(SplitVersion.V1ALPHA3.weight(0)).isEqualTo(0);
    assertThat(SplitVersion.V1ALPHA4.weight(100)).isEqualTo(100);
  }

  @Test
  void namesVersionsWithOrWithoutTheirGroup() {
    assertThat(SplitVersion.of("v1alpha3")).contains(SplitVersion.V1ALPHA3);
    assertThat(SplitVersion.of("split.smi-spec.io/v1alpha4")).contains(SplitVersion.V1ALPHA4);
    assertThat(SplitVersion.of("specs.smi-spec.io/v1alpha3")).isEmpty();
    assertThat(SplitVersion.of("v1")).isEmpty();
  }

  @Test
  void picksTheNewestKnownVersionServed() {
    assertThat(SplitVersion.newest(List.of("v1alpha1", "v1alpha3", "v1alpha2", "v1")))
        .contains(SplitVersion.V1ALPHA3);
    assertThat(SplitVersion.newest(List.of("v1"))).isEqualTo(Optional.empty());
  }

  @Test
  void onlyV1alpha3AndLaterHaveMatches() {
    assertThat(SplitVersion.values())
        .filteredOn(SplitVersion::hasMatches)
        .containsExactly(SplitVersion.V1ALPHA4, SplitVersion.V1ALPHA3);
    assertThat(SplitVersion.V1ALPHA4.routeGroupApiVersion())
        .isEqualTo("specs.smi-spec.io/v1alpha4");
  }
}
