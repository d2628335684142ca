package dev.meshroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.Phase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the host at 20 random moments of a running rollout, restarting it each time. The
 * rollout's 19 pauses of 4 s outlast the 20 kill cycles even on a slow machine, so every kill hits
 * it while it runs.
 */
class KillE2E {
  private static final Pattern APPLY =
      Pattern.compile("apply default/steady (\\d+) \\{stable=(\\d+), canary=(\\d+)} .*");
  private static final int KILLS = 20;

  @Test
  void aRolloutSurvivesBeingKilledTwentyTimes(@TempDir Path folder) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<String> steps = new ArrayList<>();
    IntStream.rangeClosed(1, 19)
        .forEach(
            i -> {
              steps.add("setWeight: " + 5 * i);
              steps.add("pause: {duration: 4s}");
            });
    HostProcess host = new HostProcess(folder, "");
    host.writeRollout(
        "steady.yaml",
        Rollouts.canary("default", "steady", "{pending: 1}", steps.toArray(String[]::new)));
    try (host) {
      int killedWhileRunning = 0;
      for (int kill = 0; kill < KILLS; kill++) {
        host.start();
        Thread.sleep(300 + random.nextInt(1200));
        boolean running = host.get("default", "steady").getPhase() != Phase.HEALTHY;
        host.kill();
        killedWhileRunning += running ? 1 : 0;
      }
      host.start();
      HostProcess.eventually()
          .until(() -> host.get("default", "steady").getPhase() == Phase.HEALTHY);

      assertThat(killedWhileRunning)
          .as("kills that hit the running rollout (seed %d)", seed)
          .isEqualTo(KILLS);
      List<String> calls = host.calls();
      Map<Long, String> byGeneration = new LinkedHashMap<>();
      List<Integer> canary = new ArrayList<>();
      long lastGeneration = 0;
      for (String call : calls) {
        Matcher matcher = APPLY.matcher(call);
        if (!matcher.matches()) {
          continue;
        }
        long generation = Long.parseLong(matcher.group(1));
        int weight = Integer.parseInt(matcher.group(3));
        assertThat(generation)
            .as("generation after %d (seed %d)", lastGeneration, seed)
            .isGreaterThanOrEqualTo(lastGeneration);
        String before = byGeneration.putIfAbsent(generation, call);
        assertThat(before == null || before.equals(call))
            .as("generation %d re-applied differently: %s", generation, call)
            .isTrue();
        if (!canary.isEmpty()) {
          assertThat(weight)
              .as("canary weight went backwards (seed %d): %s", seed, calls)
              .isGreaterThanOrEqualTo(canary.get(canary.size() - 1));
        }
        canary.add(weight);
        lastGeneration = generation;
      }
      List<Integer> expected =
          new ArrayList<>(IntStream.rangeClosed(1, 19).map(i -> 5 * i).boxed().toList());
      expected.add(100);
      assertThat(canary.stream().distinct().toList())
          .as("no step skipped (seed %d)", seed)
          .isEqualTo(expected);
      assertThat(calls.get(calls.size() - 1)).startsWith("release default/steady");
    }
  }
}
