package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A truncated state file holds its rollout where it is: reported, never reset. */
class CorruptStateE2E {
  @Test
  void aTruncatedStateFileHoldsTheRollout(@TempDir Path folder) throws Exception {
    HostProcess host = new HostProcess(folder, "");
    host.writeRollout(
        "a.yaml", Rollouts.canary("default", "a", "{}", "setWeight: 40", "pause: {}"));
    host.writeRollout("b.yaml", Rollouts.canary("default", "b", "{}", "setWeight: 40"));
    try (host) {
      host.start();
      HostProcess.eventually().until(() -> host.get("default", "a").getPhase() == Phase.PAUSED);
      host.kill();
      Path state = folder.resolve("state").resolve("default_a.json");
      String json = Files.readString(state);
      Files.writeString(state, json.substring(0, json.length() / 2));
      Files.delete(folder.resolve("state").resolve("default_b.json"));
      int callsBefore = host.calls().size();

      host.start();
      HostProcess.eventually().until(() -> host.get("default", "b").getPhase() == Phase.HEALTHY);
      HostProcess.eventually().until(() -> host.get("default", "a").getPhase() == Phase.BLOCKED);
      Rollout held = host.get("default", "a");
      assertThat(held.getPhase()).isEqualTo(Phase.BLOCKED);
      assertThat(held.getMessage())
          .startsWith("state file " + state + " is damaged (not a rollout status: ")
          .endsWith(
              "); the rollout is held: restore the file, or delete it to start the rollout over");
      assertThat(host.calls().subList(callsBefore, host.calls().size()))
          .noneMatch(call -> call.contains("default/a"));
      assertThat(Files.readString(state)).isEqualTo(json.substring(0, json.length() / 2));
    }
  }
}
