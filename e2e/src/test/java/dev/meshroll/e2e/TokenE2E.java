package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshroll.proto.v1.ListRequest;
import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.PromoteRequest;
import dev.meshroll.proto.v1.RolloutRef;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host with a token refuses steering calls without it, over gRPC, HTTP and the CLI. */
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
}
