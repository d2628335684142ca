package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** {@code meshroll demo --output json}, the README's first command, as a user runs it. */
class DemoE2E {
  @Test
  void theObservedSplitFollowsTheRequestedWeightsToHealthy() throws Exception {
    HostProcess.Cli demo = HostProcess.localCli("demo", "--output", "json");
    assertThat(demo.exitCode()).as(demo.out()).isZero();

    List<JsonNode> lines = jsonLines(demo.out());
    assertThat(lines)
        .extracting(line -> line.path("requested").path("canary").asInt())
        .containsExactly(10, 30, 60, 100, 0);
    for (JsonNode step : lines.subList(0, 4)) {
      long stable = step.path("observed").path("stable").asLong();
      long canary = step.path("observed").path("canary").asLong();
      assertThat(stable + canary).as(step.toString()).isGreaterThan(500);
      assertThat(100.0 * canary / (stable + canary))
          .as(step.toString())
          .isCloseTo(step.path("requested").path("canary").asDouble(), Offset.offset(5.0));
    }
    assertThat(lines.get(4).path("phase").asText()).isEqualTo("Healthy");
  }

  @Test
  void aBadCanaryIsRolledBackByItsAnalysis() throws Exception {
    HostProcess.Cli demo = HostProcess.localCli("demo", "--bad-canary", "--output", "json");
    assertThat(demo.exitCode()).as(demo.out()).isZero();

    List<JsonNode> lines = jsonLines(demo.out());
    assertThat(lines)
        .extracting(line -> line.path("requested").path("canary").asInt(-1))
        .containsExactly(10, 0, -1);
    JsonNode aborted = lines.get(1);
    assertThat(aborted.path("phase").asText()).isEqualTo("Degraded");
    assertThat(aborted.path("observed").path("stable").asLong())
        .as(aborted.toString())
        .isPositive();
    assertThat(aborted.path("observed").path("canary").asLong()).isZero();
    // The status says Degraded a moment before the fleet has the return to stable: a few calls
    // may still reach the failing canary, no more.
    assertThat(aborted.path("observed").path("errors").asLong())
        .as(aborted.toString())
        .isLessThan(aborted.path("observed").path("stable").asLong() / 20);
    assertThat(lines.get(2).path("message").asText())
        .startsWith(
            "aborted: analysis background failed: error-ratio: 1 does not meet successCondition");
  }

  private static List<JsonNode> jsonLines(String out) throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.lines().filter(line -> line.startsWith("{")).toList()) {
      lines.add(new ObjectMapper().readTree(line));
    }
    return lines;
  }
}
