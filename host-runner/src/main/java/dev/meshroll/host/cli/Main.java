package dev.meshroll.host.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code meshroll} command line. */
@Command(
    name = "meshroll",
    mixinStandardHelpOptions = true,
    version = "meshroll 0.1.0",
    description = "Progressive delivery for service meshes.",
    subcommands = {PlanCommand.class, DemoCommand.class})
public final class Main {
  /** The system property the launcher sets to the distribution's folder. */
  static final String HOME_PROPERTY = "meshroll.home";

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  /** The distribution's own plugins folder, when the launcher names the distribution. */
  static List<Path> pluginFolders() {
    String home = System.getProperty(HOME_PROPERTY);
    return home == null ? List.of() : List.of(Path.of(home, "plugins"));
  }
}
