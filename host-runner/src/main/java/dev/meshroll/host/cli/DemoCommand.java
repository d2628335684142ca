package dev.meshroll.host.cli;

import dev.meshroll.host.demo.LiveDemo;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshroll demo}: a live canary over a real xDS fleet of proxyless gRPC clients (see {@link
 * LiveDemo}); {@code --plan} prints the plan of the example rollout over the example mesh instead.
 */
@Command(
    name = "demo",
    description =
        "Runs a canary over a local fleet of proxyless gRPC clients and two gRPC backends, printing per"
            + " step the requested weights beside the observed split; --plan prints the example's plan.")
final class DemoCommand implements Callable<Integer> {
  static final String EXAMPLE = "examples/reviews-canary.yaml";
  private static final List<String> MESH =
      List.of("examples/mesh/envoy.yaml", "examples/mesh/istio.yaml");

  @Option(
      names = "--plan",
      description =
          "Print the plan of the example rollout over the example mesh instead (no host, no traffic).")
  boolean plan;

  @Option(names = "--bad-canary", description = "The canary fails every call.")
  boolean badCanary;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text or json (one object per line and step).")
  Output output;

  @Spec CommandSpec command;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!plan) {
      return new LiveDemo(badCanary, output == Output.json, command.commandLine().getOut())
          .run(Main.pluginFolders());
    }
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
