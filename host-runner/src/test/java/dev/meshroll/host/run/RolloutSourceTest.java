package dev.meshroll.host.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.RolloutRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RolloutSourceTest {
  private static final RolloutRef REF = new RolloutRef("default", "cart");

  private static String rollout(String name, int weight) {
    return """
        apiVersion: meshroll.dev/v1alpha1
        kind: Rollout
        metadata: {name: %s}
        spec:
          strategy:
            canary:
              trafficRouting: {xds: {}}
              steps: [{setWeight: %d}]
        """
        .formatted(name, weight);
  }

  /** Writes and moves the clock of the file on, as a later edit would. */
  private static void write(Path file, String text, int second) throws IOException {
    Files.writeString(file, text);
    Files.setLastModifiedTime(
        file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(second)));
  }

  @Test
  void anInvalidEditKeepsTheLastGoodRevisionInForce(@TempDir Path folder) throws IOException {
    RolloutSource source = new RolloutSource(folder);
    write(folder.resolve("cart.yaml"), rollout("cart", 20), 1);
    String revision = source.scan().rollouts().get(REF).revision();

    write(folder.resolve("cart.yaml"), rollout("cart", 200), 2);
    RolloutSource.Snapshot snapshot = source.scan();

    assertThat(snapshot.rollouts().get(REF).revision()).isEqualTo(revision);
    assertThat(snapshot.rolloutProblems().get(REF))
        .containsExactly("cart.yaml: spec.strategy.canary.steps[0].setWeight: 200 is above 100");
    assertThat(snapshot.problems()).hasSize(1);

    write(folder.resolve("cart.yaml"), rollout("cart", 30), 3);
    snapshot = source.scan();
    assertThat(snapshot.rollouts().get(REF).revision()).isNotEqualTo(revision);
    assertThat(snapshot.problems()).isEmpty();
    assertThat(snapshot.rolloutProblems().get(REF)).isEmpty();
  }

  @Test
  void aRolloutDeclaredTwiceIsTakenFromTheFirstFile(@TempDir Path folder) throws IOException {
    RolloutSource source = new RolloutSource(folder);
    write(folder.resolve("a.yaml"), rollout("cart", 20), 1);
    write(folder.resolve("b.yaml"), rollout("cart", 40), 1);

    RolloutSource.Snapshot snapshot = source.scan();
    assertThat(snapshot.rollouts().get(REF).file()).isEqualTo("a.yaml");
    assertThat(snapshot.problems())
        .map(Object::toString)
        .containsExactly(
            "b.yaml: metadata.name: Rollout default/cart is declared in a.yaml already");
  }

  @Test
  void aDeletedFileTakesItsRolloutsAlongAndHiddenFilesAreIgnored(@TempDir Path folder)
      throws IOException {
    RolloutSource source = new RolloutSource(folder);
    write(folder.resolve("cart.yaml"), rollout("cart", 20), 1);
    write(folder.resolve(".cart.yaml.swp"), "not yaml: [", 1);
    assertThat(source.scan().rollouts()).containsOnlyKeys(REF);

    Files.delete(folder.resolve("cart.yaml"));
    assertThat(source.scan().rollouts()).isEmpty();
  }
}
