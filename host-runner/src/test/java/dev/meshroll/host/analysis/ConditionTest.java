package dev.meshroll.host.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionTest {

  @Test
  void scalarsCompareAcrossIntAndDouble() {
    Condition condition = Condition.compile("result >= 0.95");
    assertThat(condition.test(0.97)).isTrue();
    assertThat(condition.test(0.5)).isFalse();
    assertThat(condition.test(1)).isTrue(); // an int measured, a double written
    assertThat(Condition.compile("result < 1").test(0.4)).isTrue();
  }

  @Test
  void vectorsAreLists() {
    assertThat(Condition.compile("result[0] < 0.05").test(List.of(0.01, 0.9))).isTrue();
    assertThat(Condition.compile("result.all(x, x < 0.05)").test(List.of(0.01, 0.9))).isFalse();
    assertThat(Condition.compile("result.exists(x, x > 0.5)").test(List.of(0.01, 0.9))).isTrue();
    assertThat(Condition.compile("size(result) == 2").test(List.of(1L, 2L))).isTrue();
  }

  @Test
  void mapsAreIndexedByKey() {
    Map<String, Object> result = Map.of("ok", true, "latency", Map.of("p99", 120));
    assertThat(Condition.compile("result.ok && result.latency.p99 < 200").test(result)).isTrue();
    assertThat(Condition.compile("result['latency']['p99'] < 100").test(result)).isFalse();
  }

  @Test
  void booleansAndStringsAsTheWebProviderGivesThem() {
    assertThat(Condition.compile("result == true").test(true)).isTrue();
    assertThat(Condition.compile("result == 'green'").test("green")).isTrue();
  }

  @Test
  void typosAreRefusedWithTheirPosition() {
    assertThatThrownBy(() -> Condition.compile("reslt > 1"))
        .hasMessageContaining("column 1")
        .hasMessageContaining("undeclared reference to 'reslt'");
    assertThatThrownBy(() -> Condition.compile("result >= 0.95 &&"))
        .hasMessageContaining("column 18");
    assertThatThrownBy(() -> Condition.compile("result\n  > 1 && 'x'"))
        .hasMessageContaining("line 2, column 7")
        .hasMessageContaining("found no matching overload for '_&&_'");
  }

  @Test
  void aConditionMustGiveABool() {
    assertThatThrownBy(() -> Condition.compile("1 + 2"))
        .hasMessage("gives int, not the bool a condition needs");
    assertThatThrownBy(() -> Condition.compile("size('abc')")).hasMessageContaining("gives int");
  }

  @Test
  void valuesThatDoNotFitFailTheEvaluationNotTheHost() {
    assertThatThrownBy(() -> Condition.compile("result[0] < 1").test(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Index out of bounds: 0");
    assertThatThrownBy(() -> Condition.compile("result.p99 < 1").test(Map.of("p50", 1)))
        .hasMessage("key 'p99' is not present in map.");
    assertThatThrownBy(() -> Condition.compile("result").test(1.0)).hasMessageContaining("bool");
  }
}
