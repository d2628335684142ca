package dev.meshroll.host.cli;

import dev.meshroll.host.plugins.Plugins;
import dev.meshroll.host.spec.SpecFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code meshroll demo}: until the xDS plugin brings a live fleet, the demo shows the plan of the
 * example canary rollout, which ships inside the host.
 */
@Command(
    name = "demo",
    description =
        "Shows the plan of the example canary rollout (examples/reviews-canary.yaml) over the"
            + " example mesh (examples/mesh/).")
final class DemoCommand implements Callable<Integer> {
  static final String EXAMPLE = "examples/reviews-canary.yaml";
  private static final List<String> MESH =
      List.of("examples/mesh/envoy.yaml", "examples/mesh/istio.yaml");

  @Spec CommandSpec command;

  @Override
  public Integer call() throws IOException {
    List<Map<String, Object>> mesh = new ArrayList<>();
    for (String file : MESH) {
      mesh.addAll(MeshFiles.parse(file, resource(file)));
    }
    try (Plugins plugins = Plugins.load(Main.pluginFolders())) {
      PlanPrinter printer =
          new PlanPrinter(
              plugins.routers(),
              mesh,
              command.commandLine().getOut(),
              command.commandLine().getErr());
      return PlanCommand.print(SpecFile.parse(EXAMPLE, resource(EXAMPLE)), printer);
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the host's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
