package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An invalid revision edited in while a rollout runs: the running revision goes on. */
class InvalidSpecE2E {

  @Test
  void anInvalidEditLeavesTheRunningRevisionInForce(@TempDir Path folder) throws Exception {
    try (HostProcess host = new HostProcess(folder, "").start()) {
      String good =
          Rollouts.canary("shop", "cart", "{}", "setWeight: 25", "pause: {}", "setWeight: 75");
      host.writeRollout("cart.yaml", good);
      HostProcess.eventually().until(() -> host.get("shop", "cart").getPhase() == Phase.PAUSED);
      String revision = host.get("shop", "cart").getRevision();

      host.writeRollout("cart.yaml", good.replace("setWeight: 75", "setWeight: 750"));
      HostProcess.eventually().until(() -> host.get("shop", "cart").getSpecProblemsCount() > 0);

      Rollout cart = host.get("shop", "cart");
      assertThat(cart.getRevision()).isEqualTo(revision);
      assertThat(cart.getPhase()).isEqualTo(Phase.PAUSED);
      assertThat(cart.getSpecProblemsList())
          .containsExactly("cart.yaml: spec.strategy.canary.steps[2].setWeight: 750 is above 100");
      HostProcess.Cli get = host.cli("get", "shop/cart");
      assertThat(get.out())
          .contains(
              "Refused:  cart.yaml: spec.strategy.canary.steps[2].setWeight: 750 is above 100");
      assertThat(host.cli("get").out())
          .contains(
              "refused: cart.yaml: spec.strategy.canary.steps[2].setWeight: 750 is above 100");

      assertThat(host.cli("promote", "shop/cart").exitCode()).isZero();
      HostProcess.eventually().until(() -> host.get("shop", "cart").getPhase() == Phase.HEALTHY);
      assertThat(host.calls())
          .contains("apply shop/cart 3 {stable=25, canary=75} headers=[] mirrors=[]");
    }
  }
}
