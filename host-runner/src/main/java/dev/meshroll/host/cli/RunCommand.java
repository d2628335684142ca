package dev.meshroll.host.cli;

import dev.meshroll.host.control.ControlServer;
import dev.meshroll.host.run.Host;
import dev.meshroll.host.spec.HostConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshroll run}: the standalone host, until it is stopped. */
@Command(
    name = "run",
    description =
        "Runs the host in standalone mode: rollouts from a folder of specs, status in a state folder,"
            + " the control API on --config's listen address.")
final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "The host config (host.yaml). Without one: ./rollouts, ./state, 127.0.0.1:7070.")
  Path config;

  @Spec CommandSpec command;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter err = command.commandLine().getErr();
    HostConfig hostConfig;
    if (config == null) {
      hostConfig = HostConfig.defaults(Path.of("").toAbsolutePath());
    } else if (!Files.isRegularFile(config)) {
      err.println(config + ": no such file");
      return 2;
    } else {
      HostConfig.Result result = HostConfig.parse(config, Files.readString(config));
      if (result.config().isEmpty()) {
        result.problems().forEach(err::println);
        return 2;
      }
      hostConfig = result.config().get();
    }
    Host host = Host.start(hostConfig, Main.pluginFolders());
    ControlServer control;
    try {
      control = ControlServer.start(host);
    } catch (IOException e) {
      host.close();
      err.println(e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  control.close();
                  host.close();
                  stopped.countDown();
                },
                "shutdown"));
    PrintWriter out = command.commandLine().getOut();
    out.println(
        "meshroll host: control API on "
            + hostConfig.listen().host()
            + ":"
            + control.grpcPort()
            + " (gRPC) and "
            + hostConfig.httpListen().host()
            + ":"
            + control.httpPort()
            + " (HTTP); rollouts from "
            + hostConfig.rollouts());
    out.flush();
    stopped.await();
    return 0;
  }
}
