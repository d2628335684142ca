package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A router that throws, one that hangs, and a corrupt plugin archive: only their steps fail. */
class FailingPluginsE2E {

  @Test
  void failingPluginsFailOneStepNotTheHost(@TempDir Path folder) throws Exception {
    HostProcess host = new HostProcess(folder, "pluginTimeout: 2s");
    Files.write(
        folder.resolve("plugins").resolve("broken-plugin.zip"),
        new byte[] {'P', 'K', 3, 4, 0, 7, 7});
    try (host) {
      host.start();
      host.writeRollout(
          "throws.yaml",
          Rollouts.canary("default", "throws", "{failAt: 20}", "setWeight: 20", "pause: {}"));
      host.writeRollout(
          "hangs.yaml",
          Rollouts.canary("default", "hangs", "{hangAt: 20}", "setWeight: 20", "pause: {}"));
      host.writeRollout(
          "fine.yaml", Rollouts.canary("default", "fine", "{}", "setWeight: 20", "setWeight: 50"));

      HostProcess.eventually().until(() -> host.get("default", "fine").getPhase() == Phase.HEALTHY);
      HostProcess.eventually().until(() -> HostProcess.ended(host.get("default", "throws")));
      HostProcess.eventually().until(() -> HostProcess.ended(host.get("default", "hangs")));

      Rollout threw = host.get("default", "throws");
      assertThat(threw.getMessage())
          .isEqualTo(
              "aborted: router recorder failed: recorder: refusing canary weight 20 as told (failAt);"
                  + " rolled back, fleet converged: stable serves all traffic");
      Rollout hung = host.get("default", "hangs");
      assertThat(hung.getMessage())
          .isEqualTo(
              "aborted: router recorder failed: recorder: apply did not answer within 2.0s;"
                  + " rolled back, fleet converged: stable serves all traffic");
      assertThat(host.calls())
          .contains("apply default/fine 3 {stable=50, canary=50} headers=[] mirrors=[]");

      HostProcess.Cli plugins =
          HostProcess.localCli("plugins", "--config", folder.resolve("host.yaml").toString());
      assertThat(plugins.out())
          .contains(
              "recorder 0.1.0-SNAPSHOT  routers {recorder=[HEADER_ROUTES, MIRROR_ROUTES, MULTIPLE_VERSIONS, VERIFY, WEIGHTS]}")
          .contains(
              "broken: "
                  + folder.resolve("plugins").resolve("broken-plugin.zip")
                  + ": corrupt archive:");
      assertThat(host.http("GET", "/healthz", null).statusCode()).isEqualTo(200);
    }
  }
}
