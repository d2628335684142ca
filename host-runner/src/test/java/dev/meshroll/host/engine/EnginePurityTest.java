package dev.meshroll.host.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The engine stays pure: no file, network, plugin, logging or clock API in its sources. */
class EnginePurityTest {
  private static final List<String> FORBIDDEN =
      List.of(
          "import java.io.",
          "import java.nio.",
          "import java.net.",
          "import java.time.Clock",
          "import java.util.concurrent.",
          "import org.pf4j.",
          "import io.grpc.",
          "import io.fabric8.",
          "import org.slf4j.",
          "import com.fasterxml.",
          "Instant.now()",
          "System.currentTimeMillis",
          "System.nanoTime");

  @Test
  void theEngineImportsNoIo() throws IOException {
    Path sources = Path.of("src", "main", "java", "dev", "meshroll", "host", "engine");
    try (Stream<Path> files = Files.list(sources)) {
      List<Path> java = files.filter(file -> file.toString().endsWith(".java")).toList();
      assertThat(java).hasSizeGreaterThan(5);
      for (Path file : java) {
        String source = Files.readString(file);
        assertThat(FORBIDDEN).as(file.toString()).noneMatch(source::contains);
      }
    }
  }
}
