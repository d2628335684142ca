package dev.meshroll.host.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.engine.RolloutStatus;
import dev.meshroll.host.engine.StepEngine;
import dev.meshroll.host.spec.SpecFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  private static final RolloutRef REF = new RolloutRef("bookinfo", "reviews");

  private static RolloutStatus status() throws IOException {
    var spec =
        SpecFile.parse("r.yaml", Files.readString(Path.of("..", "examples", "reviews-canary.yaml")))
            .rollouts()
            .get(0);
    return new StepEngine().start(spec, Instant.parse("2026-05-01T12:00:00Z")).status();
  }

  @Test
  void readsBackWhatItWrote(@TempDir Path folder) throws IOException {
    StateStore store = new StateStore(folder.resolve("state"));
    RolloutStatus status = status();

    assertThat(store.read(REF)).isEmpty();
    store.write(REF, status);
    store.write(REF, status);

    assertThat(store.read(REF)).contains(status);
    try (Stream<Path> files = Files.list(folder.resolve("state"))) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .containsExactly("bookinfo_reviews.json");
    }
  }

  @Test
  void aDamagedFileIsReportedNotMistakenForNoStatus(@TempDir Path folder) throws IOException {
    StateStore store = new StateStore(folder);
    store.write(REF, status());
    String json = Files.readString(store.fileOf(REF));
    Files.writeString(store.fileOf(REF), json.substring(0, json.length() - 40));

    assertThatThrownBy(() -> store.read(REF))
        .isInstanceOf(StateStore.CorruptStateException.class)
        .hasMessageStartingWith(
            "state file " + store.fileOf(REF) + " is damaged (not a rollout status: ")
        .hasMessageEndingWith(
            "the rollout is held: restore the file, or delete it to start the rollout over");
  }

  @Test
  void aFieldMissingIsDamageToo(@TempDir Path folder) throws IOException {
    StateStore store = new StateStore(folder);
    store.write(REF, status());
    Files.writeString(
        store.fileOf(REF),
        Files.readString(store.fileOf(REF)).replace("\"phase\" :", "\"phaze\" :"));

    assertThatThrownBy(() -> store.read(REF)).isInstanceOf(StateStore.CorruptStateException.class);
  }
}
