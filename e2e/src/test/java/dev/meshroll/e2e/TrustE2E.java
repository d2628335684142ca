package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RolloutRef;
import dev.meshroll.proto.v1.Transition;
import dev.meshroll.xds.FleetNode;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged host's promise to a fleet operator, with a raw ADS node as the fleet: a restart
 * never changes traffic by itself, an abort is done only when the fleet serves stable again (and
 * {@code get --watch} waits for that), and a spec edit cannot make an unproven version the stable.
 */
class TrustE2E {
  private static final RolloutRef REVIEWS =
      RolloutRef.newBuilder().setNamespace("bookinfo").setName("reviews").build();

  @TempDir Path folder;
  private int xdsPort;

  @Test
  void aRestartWithNoNodeBackForLongerThanVerifyTimeoutChangesNothing() throws Exception {
    HostProcess host =
        host(Rollouts.xds("reviews-v1", "reviews-v2", "", "setWeight: 50", "pause: {}"));
    try (host) {
      host.start();
      try (FleetNode node = new FleetNode(xdsPort, "edge-1")) {
        awaitPausedAndConverged(host, 1);
        assertThat(node.weight("primary", "reviews-v2")).isEqualTo(50);
      }
      host.kill();
      host.start();
      Thread.sleep(5_000); // longer than verifyTimeout (3s), with no node connected

      Rollout after = host.get("bookinfo", "reviews");
      assertThat(after.getPhase()).isEqualTo(Phase.PAUSED);
      assertThat(after.getStep()).isEqualTo(1);
      assertThat(weights(after)).isEqualTo("stable=50 canary=50");
      assertThat(after.getRouters(0).getState()).isEqualTo("CONVERGED");
      assertThat(after.getRouters(0).getDetail())
          .isEqualTo("1/1 nodes (1 not reconnected since the host restarted)");
      assertThat(after.getHistoryList())
          .extracting(Transition::getEvent)
          .contains("host restarted; resuming steps[1] pause until promoted at generation 2");

      try (FleetNode back = new FleetNode(xdsPort, "edge-1")) {
        HostProcess.eventually().until(() -> !back.routes().isEmpty());
        assertThat(FleetNode.weight(back.routes().get(0), "primary", "reviews-v2"))
            .as("the node gets the same config as before the restart")
            .isEqualTo(50);
        HostProcess.eventually()
            .until(() -> host.cli("xds", "nodes").out().contains("bookinfo/reviews gen 2"));
      }
    }
  }

  @Test
  void anAbortEndsOnlyOnceTheFleetServesStableAndWatchWaitsForIt() throws Exception {
    HostProcess host =
        host(Rollouts.xds("reviews-v1", "reviews-v2", "", "setWeight: 30", "pause: {}")).start();
    try (host;
        FleetNode node = new FleetNode(xdsPort, "edge-1")) {
      awaitPausedAndConverged(host, 1);
      node.holding(response -> true); // the node lags: it answers nothing for now
      Path output = folder.resolve("watch.out");
      Process watch = host.startCli(output, "get", "bookinfo/reviews", "--watch", "-o", "json");
      try {
        host.api().abort(REVIEWS);
        HostProcess.eventually()
            .until(
                () ->
                    host.get("bookinfo", "reviews")
                        .getMessage()
                        .startsWith(
                            "aborted: aborted by an operator; rolling back to stable: waiting for"
                                + " routers (xds: pending 0/1 nodes; waiting for edge-1"));
        Thread.sleep(2_000);
        assertThat(watch.isAlive()).as("--watch waits for the fleet: %s", read(output)).isTrue();

        node.answerHeld();
        assertThat(watch.waitFor(60, TimeUnit.SECONDS)).as(read(output)).isTrue();
        assertThat(watch.exitValue()).as("Degraded: exit 1").isEqualTo(1);
        assertThat(read(output))
            .contains(
                "aborted: aborted by an operator; rolled back, fleet converged: stable serves all"
                    + " traffic");
        assertThat(node.weight("primary", "reviews-v2")).isZero();
      } finally {
        watch.destroyForcibly();
      }
    }
  }

  @Test
  void aSpecEditNamingAnotherStableIsRefusedAndAdoptStableMakesItLive() throws Exception {
    String[] steps = {"setWeight: 10", "pause: {}", "setWeight: 50", "pause: {}"};
    HostProcess host = host(Rollouts.xds("reviews-v1", "reviews-v2", "", steps)).start();
    try (host;
        FleetNode node = new FleetNode(xdsPort, "edge-1")) {
      awaitPausedAndConverged(host, 1);
      assertThat(host.cli("get", "bookinfo/reviews").out())
          .contains("reviews-v1 (xds)")
          .contains("reviews-v2 (xds)")
          .contains("Live:     reviews-v1 (xds)");

      host.writeRollout("reviews.yaml", Rollouts.xds("reviews-v2", "reviews-v3", "", steps));
      Rollout refused =
          HostProcess.eventually()
              .until(() -> host.get("bookinfo", "reviews"), r -> r.getSpecProblemsCount() > 0);
      assertThat(refused.getSpecProblems(0))
          .contains("stable is 'reviews-v2', but 'reviews-v1' is live")
          .contains("adoptStable: true");
      assertThat(refused.getHistoryList())
          .extracting(Transition::getEvent)
          .anyMatch(event -> event.startsWith("revision ") && event.contains(" refused: "));
      Thread.sleep(2_000);
      assertThat(host.get("bookinfo", "reviews").getPhase()).isEqualTo(Phase.PAUSED);
      int refusedAt = node.routes().size();
      assertThat(node.weight("primary", "reviews-v1")).isEqualTo(90);
      assertThat(node.weight("primary", "reviews-v2")).isEqualTo(10);

      host.writeRollout(
          "reviews.yaml", Rollouts.xds("reviews-v2", "reviews-v3", "adoptStable: true", steps));
      Rollout adopted = awaitPausedAndConverged(host, 1);
      assertThat(adopted.getLiveTargetsList())
          .extracting(target -> target.getRouter() + "=" + target.getTarget())
          .containsExactly("xds=reviews-v2");
      List<RouteConfiguration> since = node.routes().subList(refusedAt, node.routes().size());
      assertThat(since)
          .as("the adopted revision starts at its first step: the new canary never above 10")
          .isNotEmpty()
          .allMatch(routes -> FleetNode.weight(routes, "primary", "reviews-v3") <= 10);
      assertThat(node.weight("primary", "reviews-v2")).isEqualTo(90);
      assertThat(node.weight("primary", "reviews-v3")).isEqualTo(10);
    }
  }

  private HostProcess host(String rollout) throws Exception {
    Path mesh = Files.createDirectories(folder.resolve("mesh"));
    Files.copy(Path.of("src/test/resources/xds-base.yaml"), mesh.resolve("base.yaml"));
    xdsPort = freePort();
    HostProcess host =
        new HostProcess(
            folder,
            "  xds: {listen: 127.0.0.1:" + xdsPort + ", resources: mesh, verifyTimeout: 3}");
    host.writeRollout("reviews.yaml", rollout);
    return host;
  }

  private static Rollout awaitPausedAndConverged(HostProcess host, int step) {
    return HostProcess.eventually()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> host.get("bookinfo", "reviews"),
            rollout ->
                rollout.getPhase() == Phase.PAUSED
                    && rollout.getStep() == step
                    && rollout.getSpecProblemsCount() == 0
                    && rollout.getRoutersCount() > 0
                    && rollout.getRouters(0).getState().equals("CONVERGED"));
  }

  private static String weights(Rollout rollout) {
    return String.join(
        " ",
        rollout.getWeightsList().stream().map(w -> w.getVersion() + "=" + w.getPercent()).toList());
  }

  private static String read(Path file) throws Exception {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
