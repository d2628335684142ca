package dev.meshroll.host.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.Verification;
import dev.meshroll.host.control.ControlServer;
import dev.meshroll.host.engine.Phase;
import dev.meshroll.host.engine.Plan;
import dev.meshroll.host.engine.RolloutStatus;
import dev.meshroll.host.run.Host;
import dev.meshroll.host.run.RolloutView;
import dev.meshroll.host.spec.HostConfig;
import dev.meshroll.host.spec.Step;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The live demo: a standalone host with the xds plugin, two real gRPC backends, and proxyless gRPC
 * clients bootstrapped at the host's xDS server; a canary rollout goes 10% -> 30% -> 60% -> 100%,
 * and for each step the demo prints the weights asked for beside the split the clients saw once the
 * fleet had ACKed them.
 */
public final class LiveDemo {
  private static final RolloutRef ROLLOUT = new RolloutRef("demo", "reviews");
  private static final int CLIENTS = 4;
  private static final Duration LONGEST = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean badCanary;
  private final boolean json;
  private final PrintWriter out;

  public LiveDemo(boolean badCanary, boolean json, PrintWriter out) {
    this.badCanary = badCanary;
    this.json = json;
    this.out = out;
  }

  /**
   * Runs the demo to the end of its rollout.
   *
   * @param pluginFolders where the xds plugin is installed
   * @return 0 when the rollout completed, 1 otherwise
   */
  public int run(List<Path> pluginFolders) throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("meshroll-demo-");
    try (DemoStats stats = new DemoStats(Clock.systemUTC());
        DemoBackends backends = new DemoBackends(stats)) {
      int stablePort = backends.start("stable", false);
      int canaryPort = backends.start("canary", badCanary);
      int xdsPort = freePort();
      int controlPort = freePort();
      Files.createDirectories(work.resolve("mesh"));
      Files.createDirectories(work.resolve("rollouts"));
      Files.writeString(
          work.resolve("mesh").resolve("base.yaml"),
          resource("demo/mesh.yaml")
              .replace("STABLE_PORT", Integer.toString(stablePort))
              .replace("CANARY_PORT", Integer.toString(canaryPort)));
      Files.writeString(
          work.resolve("rollouts").resolve("reviews.yaml"),
          resource("demo/rollout.yaml").replace("STATS_PORT", Integer.toString(stats.port())));
      String hostYaml =
          """
          listen: 127.0.0.1:%d
          httpListen: 127.0.0.1:%d
          verifyInterval: 200ms
          plugins:
            xds: {listen: 127.0.0.1:%d, resources: mesh, verifyTimeout: 60}
          """
              .formatted(controlPort, freePort(), xdsPort);
      Files.writeString(work.resolve("host.yaml"), hostYaml);
      HostConfig config =
          HostConfig.parse(work.resolve("host.yaml"), hostYaml).config().orElseThrow();
      System.setProperty(
          "io.grpc.xds.bootstrapConfig",
          """
          {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                            "server_features": ["xds_v3"]}],
           "node": {"id": "demo-client", "cluster": "demo", "locality": {"zone": "local"}}}
          """
              .formatted(xdsPort));
      try (Host host = Host.start(config, pluginFolders);
          ControlServer control = ControlServer.start(host)) {
        if (host.routerStatus("xds").isEmpty()) {
          out.println(
              "the demo needs the xds plugin of the distribution: run it as ./meshroll demo");
          return 1;
        }
        if (!json) {
          out.printf(
              "meshroll demo: %d proxyless gRPC clients call xds:///reviews; stable and canary are gRPC"
                  + " servers on 127.0.0.1:%d and :%d%s%n"
                  + "watch it live in another terminal: ./meshroll get demo/reviews --watch --host 127.0.0.1:%d%n%n",
              CLIENTS,
              stablePort,
              canaryPort,
              badCanary ? " (the canary fails every call)" : "",
              controlPort);
          out.printf(
              "%-36s %-12s %-22s %s%n",
              "STEP", "PHASE", "REQUESTED", "OBSERVED (answers after the fleet ACKed)");
        }
        try (DemoLoad load = new DemoLoad(CLIENTS)) {
          return watch(host, load);
        }
      } catch (dev.meshroll.api.RouterException e) {
        out.println("the demo's xds router failed: " + e.getMessage());
        return 1;
      }
    } finally {
      delete(work);
      out.flush();
    }
  }

  /** Prints a line per step as the rollout moves on, until it ends. */
  private int watch(Host host, DemoLoad load) throws InterruptedException {
    Instant deadline = Instant.now().plus(LONGEST);
    long counting = -1;
    RolloutView countingView = null;
    while (Instant.now().isBefore(deadline)) {
      Optional<RolloutView> view = host.rollout(ROLLOUT);
      Optional<RolloutStatus> status = view.flatMap(RolloutView::status);
      if (status.isPresent()
          && converged(status.get())
          && status.get().traffic().generation() != counting) {
        Map<String, Long> observed = load.restart();
        if (countingView != null) {
          line(countingView, observed);
        }
        counting = status.get().traffic().generation();
        countingView = view.get();
      }
      if (status.isPresent()
          && (status.get().phase() == Phase.HEALTHY || status.get().phase() == Phase.DEGRADED)) {
        if (countingView != null && status.get().traffic().generation() != counting) {
          // An abort: the split of the step it cut short, then the traffic it returned to.
          line(countingView, load.restart());
          countingView = view.get();
        }
        Thread.sleep(2000); // a last look at the split the rollout ended with
        line(countingView == null ? view.get() : countingView, load.restart());
        end(status.get());
        // The demo succeeds when it shows what it set out to: a good canary completes, a bad one
        // is rolled back by its analysis.
        return status.get().phase() == (badCanary ? Phase.DEGRADED : Phase.HEALTHY) ? 0 : 1;
      }
      Thread.sleep(100);
    }
    out.println("the rollout did not end within " + LONGEST.toMinutes() + " minutes");
    return 1;
  }

  private static boolean converged(RolloutStatus status) {
    return !status.routers().isEmpty()
        && status.routers().values().stream().allMatch(Verification::settled);
  }

  private void line(RolloutView view, Map<String, Long> observed) {
    RolloutStatus status = view.status().orElseThrow();
    Plan plan = view.plan().orElseThrow();
    // Name the step that asked for this traffic: by the time the fleet has ACKed it, the rollout
    // is often at the pause after it.
    int index = Math.min(status.step(), plan.size() - 1);
    while (index > 0
        && (plan.steps().get(index) instanceof Step.Pause
            || plan.steps().get(index) instanceof Step.Analysis)) {
      index--;
    }
    String step =
        status.phase() == Phase.DEGRADED
            ? "aborted: back to stable"
            : (index + 1) + "/" + plan.size() + " " + plan.describe(index);
    Map<String, Long> ordered = new LinkedHashMap<>();
    status
        .traffic()
        .weights()
        .keySet()
        .forEach(version -> ordered.put(version, observed.getOrDefault(version, 0L)));
    observed.forEach(ordered::putIfAbsent);
    if (json) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("step", index + 1);
      line.put("phase", phase(status.phase()));
      line.put("requested", status.traffic().weights());
      line.put("observed", ordered);
      print(line);
      return;
    }
    long total = ordered.values().stream().mapToLong(Long::longValue).sum();
    String requested =
        status.traffic().weights().entrySet().stream()
            .map(weight -> weight.getKey() + " " + weight.getValue())
            .collect(Collectors.joining("  "));
    String seen =
        ordered.entrySet().stream()
            .map(
                count ->
                    String.format(
                        "%s %d (%.1f%%)",
                        count.getKey(),
                        count.getValue(),
                        100.0 * count.getValue() / Math.max(1, total)))
            .collect(Collectors.joining("  "));
    out.printf("%-36s %-12s %-22s %s%n", step, phase(status.phase()), requested, seen);
    out.flush();
  }

  private void end(RolloutStatus status) {
    if (json) {
      print(Map.of("phase", phase(status.phase()), "message", status.message()));
    } else {
      out.println();
      out.println(phase(status.phase()) + ": " + status.message());
    }
  }

  private void print(Map<String, Object> line) {
    try {
      out.println(JSON.writeValueAsString(line));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String phase(Phase phase) {
    return phase.name().charAt(0) + phase.name().substring(1).toLowerCase();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = LiveDemo.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the host's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void delete(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }
}
