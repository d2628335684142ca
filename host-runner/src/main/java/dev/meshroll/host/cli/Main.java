package dev.meshroll.host.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code meshroll} command line. */
@Command(
    name = "meshroll",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = "Progressive delivery for service meshes.",
    subcommands = {
      RunCommand.class,
      GetCommand.class,
      SteerCommand.Promote.class,
      SteerCommand.Abort.class,
      SteerCommand.Retry.class,
      SteerCommand.Pause.class,
      SteerCommand.Resume.class,
      PlanCommand.class,
      PluginsCommand.class,
      XdsCommand.class,
      DemoCommand.class,
      Main.Version.class
    })
public final class Main {
  static final String VERSION = "meshroll 0.1.0";

  /** The system property the launcher sets to the distribution's folder. */
  static final String HOME_PROPERTY = "meshroll.home";

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  /** {@code meshroll version}. */
  @Command(name = "version", description = "Prints the version.")
  static final class Version implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec command;

    @Override
    public void run() {
      command.commandLine().getOut().println(VERSION);
    }
  }

  /** The distribution's own plugins folder, when the launcher names the distribution. */
  static List<Path> pluginFolders() {
    String home = System.getProperty(HOME_PROPERTY);
    return home == null ? List.of() : List.of(Path.of(home, "plugins"));
  }
}
