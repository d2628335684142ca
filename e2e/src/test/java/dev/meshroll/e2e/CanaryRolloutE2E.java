package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RolloutRef;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A canary rollout driven through the CLI and the gRPC API of a packaged host. */
class CanaryRolloutE2E {

  @Test
  void aRolloutDrivenThroughTheCliAndTheApi(@TempDir Path folder) throws Exception {
    try (HostProcess host = new HostProcess(folder, "").start()) {
      host.writeRollout(
          "reviews.yaml",
          Rollouts.canary(
              "bookinfo",
              "reviews",
              "{pending: 2}",
              "setHeaderRoute: {name: tester, match: [{headerName: x-canary, headerValue: {exact: '1'}}]}",
              "setWeight: 20",
              "pause: {}",
              "setWeight: 60",
              "pause: {duration: 1s}"));

      HostProcess.eventually()
          .until(() -> host.get("bookinfo", "reviews").getPhase() == Phase.PAUSED);
      Rollout paused = host.get("bookinfo", "reviews");
      assertThat(paused.getStep()).isEqualTo(2);
      assertThat(paused.getWeightsList())
          .extracting(w -> w.getVersion() + "=" + w.getPercent())
          .containsExactly("stable=80", "canary=20");
      assertThat(paused.getRouters(0).getState()).isEqualTo("CONVERGED");

      HostProcess.Cli table = host.cli("get");
      assertThat(table.exitCode()).isZero();
      assertThat(table.out()).contains("bookinfo   reviews  canary    Paused  3/6");

      HostProcess.Cli promoted = host.cli("promote", "bookinfo/reviews");
      assertThat(promoted.exitCode()).as(promoted.out()).isZero();

      HostProcess.Cli watched = host.cli("get", "-n", "bookinfo", "reviews", "--watch");
      assertThat(watched.exitCode()).as(watched.out()).isZero();
      assertThat(watched.out())
          .contains("Phase:    Healthy")
          .contains("canary ████████████████████████████████████████ 100%");

      HostProcess.Cli json = host.cli("get", "bookinfo/reviews", "--output", "json");
      Rollout.Builder done = Rollout.newBuilder();
      JsonFormat.parser().merge(json.out(), done);
      assertThat(done.getPhase()).isEqualTo(Phase.HEALTHY);
      assertThat(done.getLive()).isEqualTo("canary");

      String metrics = host.http("GET", "/metrics", null).body();
      assertThat(metrics)
          .contains(
              "meshroll_rollout_phase{name=\"reviews\",namespace=\"bookinfo\",phase=\"HEALTHY\"} 1.0\n")
          .contains(
              "meshroll_rollout_weight_percent{name=\"reviews\",namespace=\"bookinfo\",version=\"canary\"} 100.0\n")
          .contains("meshroll_rollout_step{name=\"reviews\",namespace=\"bookinfo\"} 6.0\n")
          .contains(
              "meshroll_step_duration_seconds_count{name=\"reviews\",namespace=\"bookinfo\"} 6\n")
          .contains(
              "meshroll_plugin_call_duration_seconds_count{call=\"apply\",router=\"recorder\"} 4\n");

      assertThat(host.calls())
          .containsExactly(
              "apply bookinfo/reviews 2 {stable=100, canary=0} headers=[tester] mirrors=[]",
              "apply bookinfo/reviews 3 {stable=80, canary=20} headers=[tester] mirrors=[]",
              "apply bookinfo/reviews 4 {stable=40, canary=60} headers=[tester] mirrors=[]",
              "apply bookinfo/reviews 5 {stable=0, canary=100} headers=[] mirrors=[]",
              "release bookinfo/reviews 5 {stable=0, canary=100} headers=[] mirrors=[]");
    }
  }

  @Test
  void abortAndRetryThroughTheApi(@TempDir Path folder) throws Exception {
    try (HostProcess host = new HostProcess(folder, "").start()) {
      host.writeRollout(
          "ratings.yaml",
          Rollouts.canary("default", "ratings", "{}", "setWeight: 30", "pause: {}"));
      RolloutRef ref = RolloutRef.newBuilder().setNamespace("default").setName("ratings").build();
      HostProcess.eventually()
          .until(() -> host.get("default", "ratings").getPhase() == Phase.PAUSED);

      Rollout aborted = host.api().abort(ref);
      assertThat(aborted.getPhase()).isEqualTo(Phase.DEGRADED);
      assertThat(aborted.getMessage())
          .startsWith("aborted: aborted by an operator; rolling back to stable");
      HostProcess.eventually()
          .until(
              () ->
                  host.get("default", "ratings")
                      .getMessage()
                      .equals(
                          "aborted: aborted by an operator; rolled back, fleet converged: stable"
                              + " serves all traffic"));

      HostProcess.Cli refused = host.cli("promote", "ratings");
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.out().trim())
          .isEqualTo(
              "default/ratings has ended (DEGRADED): use retry after an abort, or change its spec");

      assertThat(host.cli("retry", "ratings").exitCode()).isZero();
      HostProcess.eventually()
          .until(() -> host.get("default", "ratings").getPhase() == Phase.PAUSED);
      assertThat(host.calls())
          .containsExactly(
              "apply default/ratings 2 {stable=70, canary=30} headers=[] mirrors=[]",
              "apply default/ratings 3 {stable=100, canary=0} headers=[] mirrors=[]",
              "release default/ratings 3 {stable=100, canary=0} headers=[] mirrors=[]",
              "apply default/ratings 4 {stable=70, canary=30} headers=[] mirrors=[]");
    }
  }

  @Test
  void theCliSaysWhatToDoWhenNoHostAnswers() throws Exception {
    HostProcess.Cli cli = HostProcess.localCli("get", "--host", "127.0.0.1:1");
    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.out().trim())
        .isEqualTo("no host at 127.0.0.1:1: start one with `meshroll run`, or name it with --host");
  }
}
