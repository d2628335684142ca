package dev.meshroll.host.cli;

import dev.meshroll.host.plugins.Plugins;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.SpecFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshroll plan}: the offline preview of a rollout, step by step. */
@Command(
    name = "plan",
    description =
        "Prints, without applying anything, the traffic of every step of the rollouts in a file and"
            + " the mesh objects each installed router would write.")
final class PlanCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "ROLLOUT.yaml",
      description = "A file of Rollout (and AnalysisTemplate) documents.")
  Path rolloutFile;

  @Option(
      names = "--mesh",
      paramLabel = "FILE",
      description = "Mesh objects the routers render from (VirtualServices, Envoy resources, ...).")
  List<Path> meshFiles = new ArrayList<>();

  @Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "A further folder of router plugins.")
  List<Path> pluginFolders = new ArrayList<>();

  @Spec CommandSpec command;

  @Override
  public Integer call() throws IOException {
    var err = command.commandLine().getErr();
    if (!Files.isRegularFile(rolloutFile)) {
      err.println(rolloutFile + ": no such file");
      return 2;
    }
    SpecFile file = SpecFile.parse(rolloutFile.toString(), Files.readString(rolloutFile));
    List<Map<String, Object>> meshObjects;
    try {
      meshObjects = MeshFiles.read(meshFiles);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    List<Path> folders = new ArrayList<>(Main.pluginFolders());
    folders.addAll(pluginFolders);
    try (Plugins plugins = Plugins.load(folders)) {
      return print(
          file,
          new PlanPrinter(plugins.routers(), meshObjects, command.commandLine().getOut(), err));
    }
  }

  /** Prints every rollout of a file, or its problems; the worst exit code wins. */
  static int print(SpecFile file, PlanPrinter printer) {
    if (!file.valid()) {
      file.problems().forEach(problem -> printer.problem(problem.toString()));
      return 2;
    }
    if (file.rollouts().isEmpty()) {
      printer.problem(file.file() + ": holds no Rollout");
      return 2;
    }
    int result = 0;
    for (RolloutSpec rollout : file.rollouts()) {
      result = Math.max(result, printer.print(rollout));
    }
    return result;
  }
}
