package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshroll.proto.v1.ListRequest;
import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.PromoteRequest;
import dev.meshroll.proto.v1.RolloutRef;
import dev.meshroll.proto.v1.Transition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host with a token refuses steering calls without it, over gRPC, HTTP and the CLI; a named token
 * puts its caller into the host's log and the rollout's history.
 */
class TokenE2E {
  @Test
  void steeringWithoutTheTokenIsRefused(@TempDir Path folder) throws Exception {
    try (HostProcess host = new HostProcess(folder, "token: s3cret-token").start()) {
      host.writeRollout(
          "a.yaml", Rollouts.canary("default", "a", "{}", "setWeight: 10", "pause: {}"));
      HostProcess.eventually().until(() -> host.get("default", "a").getPhase() == Phase.PAUSED);
      RolloutRef ref = RolloutRef.newBuilder().setNamespace("default").setName("a").build();

      assertThatThrownBy(
              () -> host.api().promote(PromoteRequest.newBuilder().setRollout(ref).build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      assertThat(host.api().list(ListRequest.getDefaultInstance()).getRolloutsCount()).isOne();

      assertThat(host.http("POST", "/v1/rollouts/default/a:abort", null).statusCode())
          .isEqualTo(401);
      assertThat(host.http("POST", "/v1/rollouts/default/a:abort", "wrong").statusCode())
          .isEqualTo(401);
      assertThat(host.http("GET", "/v1/rollouts/default/a", null).statusCode()).isEqualTo(200);

      HostProcess.Cli refused = host.cli("promote", "a");
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.out().trim())
          .isEqualTo("Promote needs the host's token: pass --token or set MESHROLL_TOKEN");
      assertThat(host.get("default", "a").getPhase()).isEqualTo(Phase.PAUSED);

      assertThat(host.cli("promote", "a", "--token", "s3cret-token").exitCode()).isZero();
      assertThat(host.http("POST", "/v1/rollouts/default/a:abort", "s3cret-token").statusCode())
          .isEqualTo(409);
    }
  }

  @Test
  void aNamedTokenNamesItsCallerInTheHistory(@TempDir Path folder) throws Exception {
    String tokens = "token: s3cret-ops\ntokens: {alice: s3cret-alice, ci: s3cret-ci}";
    try (HostProcess host = new HostProcess(folder, tokens).start()) {
      host.writeRollout(
          "a.yaml",
          Rollouts.canary(
              "default", "a", "{}", "setWeight: 10", "pause: {}", "setWeight: 20", "pause: {}"));
      HostProcess.eventually().until(() -> host.get("default", "a").getPhase() == Phase.PAUSED);

      assertThat(host.http("POST", "/v1/rollouts/default/a:promote", "s3cret-bob").statusCode())
          .isEqualTo(401);
      // The unnamed token still steers, beside the named ones.
      assertThat(host.http("POST", "/v1/rollouts/default/a:pause", "s3cret-ops").statusCode())
          .isEqualTo(200);

      HostProcess.Cli promoted = host.cli("promote", "a", "--token", "s3cret-alice");
      assertThat(promoted.exitCode()).as(promoted.out()).isZero();
      HostProcess.eventually()
          .until(
              () -> {
                var rollout = host.get("default", "a");
                return rollout.getPhase() == Phase.PAUSED && rollout.getStep() == 3;
              });
      assertThat(host.http("POST", "/v1/rollouts/default/a:promote", "s3cret-alice").statusCode())
          .isEqualTo(200);
      HostProcess.eventually().until(() -> host.get("default", "a").getPhase() == Phase.HEALTHY);

      // The log names who gave each command, over gRPC and HTTP alike.
      assertThat(host.log().lines().filter(line -> line.contains("operator command")))
          .as(host.log())
          .satisfiesExactly(
              line -> assertThat(line).contains("operator command PAUSE by (unnamed)"),
              line -> assertThat(line).contains("operator command PROMOTE by alice"),
              line -> assertThat(line).contains("operator command PROMOTE by alice"));
      List<String> events =
          host.get("default", "a").getHistoryList().stream().map(Transition::getEvent).toList();
      assertThat(events).as("history").anyMatch(event -> event.contains("by alice"));
    }
  }
}
