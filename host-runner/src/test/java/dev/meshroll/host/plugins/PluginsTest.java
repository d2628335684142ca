package dev.meshroll.host.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginsTest {
  @Test
  void brokenArchivesAreReportedAndSkipped(@TempDir Path folder) throws IOException {
    Files.write(folder.resolve("corrupt.zip"), new byte[] {'P', 'K', 3, 4, 1, 2, 3});
    try (OutputStream out = Files.newOutputStream(folder.resolve("no-descriptor.zip"));
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("classes/Nothing.class"));
      zip.closeEntry();
    }

    try (Plugins plugins = Plugins.load(List.of(folder, folder.resolve("missing")))) {
      assertThat(plugins.loaded()).isEmpty();
      assertThat(plugins.routers()).isEmpty();
      assertThat(plugins.broken())
          .extracting(Plugins.Broken::toString)
          .satisfiesExactly(
              corrupt ->
                  assertThat(corrupt)
                      .startsWith(folder.resolve("corrupt.zip") + ": corrupt archive: "),
              empty ->
                  assertThat(empty)
                      .isEqualTo(
                          folder.resolve("no-descriptor.zip")
                              + ": not a plugin archive: it holds no plugin.properties"));
    }
  }

  @Test
  void aPluginWhoseClassesAreMissingIsReported(@TempDir Path folder) throws IOException {
    Path plugin =
        Files.createDirectories(folder.resolve("ghost").resolve("classes").resolve("META-INF"));
    Files.writeString(
        folder.resolve("ghost").resolve("plugin.properties"),
        "plugin.id=ghost\nplugin.version=1.0.0\n");
    Files.writeString(plugin.resolve("extensions.idx"), "dev.meshroll.ghost.GhostRouter\n");

    try (Plugins plugins = Plugins.load(List.of(folder))) {
      assertThat(plugins.loaded()).extracting(Plugins.Loaded::id).containsExactly("ghost");
      assertThat(plugins.broken())
          .extracting(Plugins.Broken::toString)
          .containsExactly(
              folder.resolve("ghost")
                  + ": extension dev.meshroll.ghost.GhostRouter could not be loaded (missing class or dependency)");
    }
  }
}
