package dev.meshroll.host.cli;

import dev.meshroll.host.plugins.Plugins;
import dev.meshroll.host.spec.SpecFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    description = "Shows the plan of the example canary rollout (examples/reviews-canary.yaml).")
final class DemoCommand implements Callable<Integer> {
  static final String EXAMPLE = "examples/reviews-canary.yaml";

  @Spec CommandSpec command;

  @Override
  public Integer call() throws IOException {
    String yaml;
    try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(EXAMPLE)) {
      if (in == null) {
        throw new IllegalStateException(EXAMPLE + " is missing from the host's jar");
      }
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (Plugins plugins = Plugins.load(Main.pluginFolders())) {
      PlanPrinter printer =
          new PlanPrinter(
              plugins.routers(),
              List.of(),
              command.commandLine().getOut(),
              command.commandLine().getErr());
      return PlanCommand.print(SpecFile.parse(EXAMPLE, yaml), printer);
    }
  }
}
