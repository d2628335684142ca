package dev.meshroll.e2e;

import static org.awaitility.Awaitility.await;

import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RolloutRef;
import dev.meshroll.proto.v1.RolloutsGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;

/**
 * A packaged host running as its own process in a folder of its own ({@code host.yaml}, {@code
 * rollouts/}, {@code state/}, {@code plugins/}), on free loopback ports.
 */
final class HostProcess implements AutoCloseable {
  static final Path DISTRIBUTION = Path.of(System.getProperty("meshroll.distribution"));
  static final Path TEST_PLUGINS = Path.of(System.getProperty("meshroll.testPlugins"));
  private static final Duration START = Duration.ofSeconds(60);

  final Path folder;
  final int grpcPort;
  final int httpPort;
  private final String extraConfig;
  private Process process;
  private int starts;
  private ManagedChannel channel;

  HostProcess(Path folder, String extraConfig) throws IOException {
    this.folder = folder;
    this.extraConfig = extraConfig;
    this.grpcPort = freePort();
    this.httpPort = freePort();
    Files.createDirectories(folder.resolve("rollouts"));
    Path plugins = Files.createDirectories(folder.resolve("plugins"));
    try (Stream<Path> zips = Files.list(TEST_PLUGINS)) {
      for (Path zip : zips.toList()) {
        Files.copy(zip, plugins.resolve(zip.getFileName()));
      }
    }
    Files.writeString(
        folder.resolve("host.yaml"),
        """
        rollouts: rollouts
        state: state
        listen: 127.0.0.1:%d
        httpListen: 127.0.0.1:%d
        verifyInterval: 200ms
        plugins:
          folder: plugins
          recorder: {log: calls.log}
        %s
        """
            .formatted(grpcPort, httpPort, extraConfig));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Waiting for a host: a rollout the host has not read yet answers NOT_FOUND, which only means
   * "not yet".
   */
  static ConditionFactory eventually() {
    return await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsInstanceOf(StatusRuntimeException.class);
  }

  /**
   * Whether a rollout has ended and its final traffic is settled: every router confirmed it, or one
   * refused it (what {@code meshroll get --watch} waits for).
   */
  static boolean ended(Rollout rollout) {
    boolean terminal = rollout.getPhase() == Phase.HEALTHY || rollout.getPhase() == Phase.DEGRADED;
    boolean confirmed =
        rollout.getConditionsList().stream()
            .anyMatch(c -> c.getType().equals("RoutesConverged") && c.getStatus());
    boolean refused =
        rollout.getRoutersList().stream().anyMatch(r -> r.getState().equals("FAILED"));
    return terminal && (confirmed || refused);
  }

  /** Starts the host and waits until its HTTP API answers. */
  HostProcess start() throws IOException {
    starts++;
    process =
        new ProcessBuilder(java("run", "--config", folder.resolve("host.yaml").toString()))
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(
                    folder.resolve("host-" + starts + ".log").toFile()))
            .start();
    await()
        .atMost(START)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !process.isAlive() || healthy());
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "the host exited: " + Files.readString(folder.resolve("host-" + starts + ".log")));
    }
    return this;
  }

  private boolean healthy() {
    try {
      return http("GET", "/healthz", null).statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** What the host has logged since its last start, for failure messages. */
  String log() throws IOException {
    return Files.readString(folder.resolve("host-" + starts + ".log"));
  }

  /** SIGKILL: no shutdown hook runs, as in a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  Path writeRollout(String file, String yaml) throws IOException {
    Path path = folder.resolve("rollouts").resolve(file);
    // Written beside and renamed, as editors do, so the host never reads half a file.
    Path temp = folder.resolve("rollouts").resolve("." + file + ".tmp");
    Files.writeString(temp, yaml);
    Files.move(
        temp,
        path,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return path;
  }

  /** The recorder plugin's lines so far. */
  List<String> calls() throws IOException {
    Path log = folder.resolve("calls.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  RolloutsGrpc.RolloutsBlockingStub api() {
    if (channel == null) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    }
    return RolloutsGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  Rollout get(String namespace, String name) {
    return api().get(RolloutRef.newBuilder().setNamespace(namespace).setName(name).build());
  }

  HttpResponse<String> http(String method, String path, String token) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Runs the {@code meshroll} CLI against this host, as its own process. */
  Cli cli(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(java(args));
    command.add("--host");
    command.add("127.0.0.1:" + grpcPort);
    return Cli.run(command);
  }

  /**
   * Starts the CLI against this host without waiting for it (e.g. {@code get NAME --watch}); its
   * output goes to {@code output}.
   */
  Process startCli(Path output, String... args) throws IOException {
    List<String> command = new ArrayList<>(java(args));
    command.add("--host");
    command.add("127.0.0.1:" + grpcPort);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }

  /** Runs the CLI without naming a host (for commands that need none). */
  static Cli localCli(String... args) throws IOException, InterruptedException {
    return Cli.run(java(args));
  }

  private static List<String> java(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dmeshroll.home=" + DISTRIBUTION);
    command.add("-cp");
    command.add(DISTRIBUTION.resolve("lib") + "/*");
    command.add("dev.meshroll.host.cli.Main");
    command.addAll(List.of(args));
    return command;
  }

  /** What one CLI run printed, and how it ended. */
  record Cli(int exitCode, String out) {
    static Cli run(List<String> command) throws IOException, InterruptedException {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("the CLI did not end within 60s: " + command);
      }
      return new Cli(process.exitValue(), new String(process.getInputStream().readAllBytes()));
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
