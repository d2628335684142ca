package dev.meshroll.host.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine and the analysis lifecycle stay pure: no file, network, plugin, logging or clock API
 * in their sources.
 */
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

  /** The step engine, and the analysis lifecycle that judges measurements for it. */
  @ParameterizedTest
  @ValueSource(strings = {"engine", "analysis"})
  void importsNoIo(String pkg) throws IOException {
    Path sources = Path.of("src", "main", "java", "dev", "meshroll", "host", pkg);
    try (Stream<Path> files = Files.list(sources)) {
      List<Path> java = files.filter(file -> file.toString().endsWith(".java")).toList();
      assertThat(java).hasSizeGreaterThan(3);
      for (Path file : java) {
        String source = Files.readString(file);
        assertThat(FORBIDDEN).as(file.toString()).noneMatch(source::contains);
      }
    }
  }
}
