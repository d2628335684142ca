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

  @Test
  void anAnalysisThatCannotRunRefusesTheRevisionAtLoad(@TempDir Path folder) throws Exception {
    try (HostProcess host = new HostProcess(folder, "").start()) {
      String template =
          """
          apiVersion: meshroll.dev/v1alpha1
          kind: AnalysisTemplate
          metadata: {name: checks, namespace: shop}
          spec:
            args: [{name: service}]
            metrics:
            - name: errors
              count: 1
              successCondition: result == 0
              provider: {web: {url: 'http://127.0.0.1:1/{{args.service}}', metod: GET}}
          """;
      host.writeRollout("checks.yaml", template);
      String rollout =
          Rollouts.canary(
              "shop",
              "cart",
              "{}",
              "setWeight: 25",
              "analysis: {templates: [{name: checks}]}",
              "setWeight: 75");
      host.writeRollout("cart.yaml", rollout);

      HostProcess.eventually().until(() -> host.get("shop", "cart").getSpecProblemsCount() > 0);
      Rollout cart = host.get("shop", "cart");
      assertThat(cart.getSpecProblemsList())
          .containsExactly(
              "cart.yaml: steps[1]: AnalysisTemplate checks (checks.yaml) needs argument"
                  + " 'service', which has no default and is not given",
              "checks.yaml: spec.metrics[0].provider.web.metod: unknown key (did you mean"
                  + " 'method'?)");
      assertThat(host.calls()).isEmpty(); // nothing applied half-way

      host.writeRollout("checks.yaml", template.replace("metod", "method"));
      host.writeRollout(
          "cart.yaml",
          rollout.replace(
              "{templates: [{name: checks}]}",
              "{templates: [{name: checks}], args: [{name: service, value: cart}]}"));
      HostProcess.eventually().until(() -> host.get("shop", "cart").getAnalysesCount() > 0);
      assertThat(host.get("shop", "cart").getSpecProblemsList()).isEmpty();
    }
  }
}
