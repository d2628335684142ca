package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.Verification;
import dev.meshroll.xds.Convergence.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules of verification, one by one. */
class ConvergenceTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final Convergence.Rules ALL =
      new Convergence.Rules(1.0, 1, Duration.ofSeconds(60));
  private static final Optional<Instant> PUSHED = Optional.of(NOW.minusSeconds(10));

  private static Convergence.Result judge(
      List<Node> connected,
      Map<String, Long> remembered,
      Convergence.Rules rules,
      Optional<Instant> pushedAt,
      Instant now) {
    return Convergence.judge("ingress", 5, connected, remembered, Map.of(), rules, pushedAt, now);
  }

  @Test
  void convergedWhenEveryNodeHasEverything() {
    var result = judge(List.of(Node.acked("a"), Node.acked("b")), Map.of(), ALL, PUSHED, NOW);
    assertThat(result.verification()).isEqualTo(Verification.converged("2/2 nodes"));
    assertThat(result.fleet()).isEqualTo(Map.of("a", 5L, "b", 5L));
  }

  @Test
  void aRejectionFailsWithTheNodesWordsEvenWhenEnoughOthersHaveIt() {
    var half = new Convergence.Rules(0.5, 1, Duration.ofSeconds(60));
    var result =
        judge(
            List.of(Node.acked("a"), Node.failed("b", "rejected Cluster 'c' (version e-2): no")),
            Map.of(),
            half,
            PUSHED,
            NOW);
    assertThat(result.verification())
        .isEqualTo(Verification.failed("node b rejected Cluster 'c' (version e-2): no"));
  }

  @Test
  void pendingNamesTheFirstLaggingNodesAndCountsTheRest() {
    List<Node> fleet =
        List.of(
            Node.acked("a"),
            Node.lagging("b", "lacks Cluster 'c'"),
            Node.lagging("c", "lacks Cluster 'c'"),
            Node.lagging("d", "lacks Cluster 'c'"),
            Node.lagging("e", "lacks Cluster 'c'"));
    assertThat(judge(fleet, Map.of(), ALL, PUSHED, NOW).verification())
        .isEqualTo(
            Verification.pending(
                "1/5 nodes; waiting for b (lacks Cluster 'c'), c (lacks Cluster 'c'), d (lacks"
                    + " Cluster 'c') and 1 more; gives up at 2026-12-01T10:00:50Z"));
  }

  @Test
  void aChangePushedByThisRunFailsAfterVerifyTimeout() {
    var late =
        judge(
            List.of(Node.lagging("b", "lacks Cluster 'c'")),
            Map.of(),
            ALL,
            PUSHED,
            NOW.plusSeconds(51));
    assertThat(late.verification())
        .isEqualTo(
            Verification.failed(
                "only 0/1 nodes have RouteConfiguration 'ingress' at generation 5 with its"
                    + " listeners, clusters and endpoints after 60s; waiting for b (lacks Cluster"
                    + " 'c')"));
  }

  @Test
  void aChangeInForceBeforeTheRestartHasNoDeadline() {
    var result =
        judge(
            List.of(Node.lagging("b", "lacks Cluster 'c'")),
            Map.of(),
            ALL,
            Optional.empty(),
            NOW.plusSeconds(3600));
    assertThat(result.verification().state()).isEqualTo(Verification.State.PENDING);
    assertThat(result.verification().detail())
        .endsWith("no deadline: this change was in force before the host restarted");
  }

  @Test
  void rememberedNodesCountWithWhatTheyHad() {
    var result =
        judge(List.of(Node.acked("a")), Map.of("b", 4L, "c", 5L), ALL, Optional.empty(), NOW);
    assertThat(result.verification().detail())
        .startsWith(
            "2/3 nodes (2 not reconnected since the host restarted); waiting for b (not"
                + " reconnected since the host restarted; it had generation 4)");
    assertThat(result.fleet()).isEqualTo(Map.of("a", 5L, "b", 4L, "c", 5L));
  }

  @Test
  void aLaggingNodeKeepsTheGenerationItHadInTheFleet() {
    var result =
        Convergence.judge(
            "ingress",
            6,
            List.of(Node.lagging("a", "lacks RouteConfiguration 'ingress'")),
            Map.of(),
            Map.of("a", 5L),
            ALL,
            PUSHED,
            NOW);
    assertThat(result.fleet()).isEqualTo(Map.of("a", 5L));
  }

  @Test
  void tooFewNodesWaitSayingHowToConnectOne() {
    var three = new Convergence.Rules(1.0, 3, Duration.ofSeconds(60));
    assertThat(judge(List.of(Node.acked("a")), Map.of(), three, PUSHED, NOW).verification())
        .isEqualTo(
            Verification.pending(
                "waiting for nodes: 1 node subscribes to RouteConfiguration 'ingress', at least 3"
                    + " needed (minNodes); connect a client whose Listener leads to it (README:"
                    + " \"Connect a fleet\"); gives up at 2026-12-01T10:00:50Z"));
  }
}
