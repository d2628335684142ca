package dev.meshroll.host.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.host.plugins.Plugins;
import dev.meshroll.host.spec.HostConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshroll plugins}: what the host would load, and what it could not. */
@Command(
    name = "plugins",
    description =
        "Lists the installed plugins: id, version, routers and their capabilities; and the broken ones, with why.")
final class PluginsCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "A host config whose plugins folder to include.")
  Path config;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text, json or yaml.")
  Output output;

  @Spec CommandSpec command;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    List<Path> folders = new ArrayList<>(Main.pluginFolders());
    if (config != null) {
      HostConfig.Result result = HostConfig.parse(config, Files.readString(config));
      if (result.config().isEmpty()) {
        result.problems().forEach(err::println);
        return 2;
      }
      result.config().get().pluginFolder().ifPresent(folders::add);
    }
    try (Plugins plugins = Plugins.load(folders)) {
      List<Map<String, Object>> loaded = new ArrayList<>();
      for (Plugins.Loaded plugin : plugins.loaded()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", plugin.id());
        row.put("version", plugin.version());
        Map<String, Object> routers = new LinkedHashMap<>();
        for (String id : plugin.routers()) {
          TrafficRouter router = plugins.routers().get(id);
          routers.put(id, router.capabilities().stream().map(Enum::name).sorted().toList());
        }
        row.put("routers", routers);
        row.put("metricProviders", plugin.metricProviders());
        row.put("path", plugin.path().toString());
        loaded.add(row);
      }
      List<String> broken = plugins.broken().stream().map(Plugins.Broken::toString).toList();
      if (output == Output.text) {
        if (loaded.isEmpty()) {
          out.println("no plugins in " + folders);
        }
        for (Map<String, Object> row : loaded) {
          out.println(
              row.get("id")
                  + " "
                  + row.get("version")
                  + "  routers "
                  + row.get("routers")
                  + "  metric providers "
                  + row.get("metricProviders")
                  + "  ("
                  + row.get("path")
                  + ")");
        }
        broken.forEach(reason -> out.println("broken: " + reason));
      } else {
        ObjectMapper mapper = output == Output.json ? new ObjectMapper() : new YAMLMapper();
        out.println(
            mapper
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(Map.of("plugins", loaded, "broken", broken))
                .stripTrailing());
      }
      out.flush();
      return 0;
    }
  }
}
