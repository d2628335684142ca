package dev.meshroll.host.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
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
                  + ": extension dev.meshroll.ghost.GhostRouter could not be loaded:"
                  + " class not found: dev.meshroll.ghost.GhostRouter");
    }
  }

  @Test
  void aRouterWhoseConstructorThrowsIsReportedAndItsNeighboursLoad(@TempDir Path folder)
      throws IOException {
    plugin(folder, "grumpy", "throw new IllegalStateException(\"no config here\");");
    plugin(folder, "happy", "");

    try (Plugins plugins = Plugins.load(List.of(folder))) {
      assertThat(plugins.routers()).containsOnlyKeys("happy");
      assertThat(plugins.broken())
          .extracting(Plugins.Broken::toString)
          .containsExactly(
              folder.resolve("grumpy")
                  + ": extension test.plugins.GrumpyRouter could not be created:"
                  + " its constructor threw IllegalStateException: no config here");
    }
  }

  /** Compiles a one-class router plugin into {@code folder/id}, laid out as PF4J expands a zip. */
  private static void plugin(Path folder, String id, String constructorBody) throws IOException {
    Path root = Files.createDirectories(folder.resolve(id));
    Path sources = Files.createDirectories(root.resolve("src"));
    Path classes = Files.createDirectories(root.resolve("classes").resolve("META-INF"));
    String name = Character.toUpperCase(id.charAt(0)) + id.substring(1) + "Router";
    Path source = sources.resolve(name + ".java");
    Files.writeString(
        source,
        """
        package test.plugins;

        public class %s implements dev.meshroll.api.TrafficRouter {
          public %s() { %s }
          public String id() { return "%s"; }
          public java.util.Set<dev.meshroll.api.Capability> capabilities() { return java.util.Set.of(); }
          public java.util.List<dev.meshroll.api.ValidationProblem> validate(dev.meshroll.api.RolloutRouting r) { return java.util.List.of(); }
          public java.util.List<java.util.Map<String, Object>> render(dev.meshroll.api.RouteIntent i, java.util.List<java.util.Map<String, Object>> m) { return java.util.List.of(); }
          public void apply(dev.meshroll.api.RouteIntent i) {}
          public dev.meshroll.api.Verification verify(dev.meshroll.api.RouteIntent i) { return dev.meshroll.api.Verification.converged(); }
          public void release(dev.meshroll.api.RouteIntent i) {}
        }
        """
            .formatted(name, name, constructorBody, id));
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    int result =
        compiler.run(
            null,
            null,
            null,
            "-proc:none",
            "-cp",
            System.getProperty("java.class.path"),
            "-d",
            classes.getParent().toString(),
            source.toString());
    assertThat(result).isZero();
    Files.writeString(classes.resolve("extensions.idx"), "test.plugins." + name + "\n");
    Files.writeString(
        root.resolve("plugin.properties"), "plugin.id=" + id + "\nplugin.version=1.0.0\n");
  }
}
