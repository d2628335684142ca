package dev.meshroll.bench;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The connect storm: N streams (one TCP connection each, by default) connect to a fresh server at
 * once; measures the time until every stream has had its first full config (all four types received
 * and ACKed), while a probe, on a connection opened before the storm, opens a new ADS stream every
 * {@code --probe-interval} ms and times the server's first answer. The server stays responsive when
 * every probe is answered within 1 s.
 *
 * <p>{@code bench/run.sh XdsStorm [--n 10000] [--servers meshroll,peer] [--protocol sotw]}.
 */
public final class XdsStorm {
  private static final Map<String, String> OPTIONS = new LinkedHashMap<>();
  private static final long PROBE_TIMEOUT_MILLIS = 10_000;

  static {
    OPTIONS.put("--n", "10000");
    OPTIONS.put("--per-connection", "1");
    OPTIONS.put("--protocol", "sotw");
    OPTIONS.put("--servers", "meshroll,peer");
    OPTIONS.put("--services", "10");
    OPTIONS.put("--probe-interval", "100");
    OPTIONS.put("--timeout", "300");
    OPTIONS.put("--server-heap", "2g");
    OPTIONS.put("--peer-serializer", "default");
    OPTIONS.put("--client-warmup", "500");
    OPTIONS.put("--jfr", null);
    OPTIONS.put("--out", "bench/target/bench-results");
  }

  /** One server's storm. */
  record Result(
      String server,
      String protocol,
      int n,
      int perConnection,
      double openMillis,
      double[] ready,
      double cpuMillis,
      List<Double> probes,
      int probesUnanswered) {
    double worstProbe() {
      return probes.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    long probesOverOneSecond() {
      return probes.stream().filter(millis -> millis > 1000).count() + probesUnanswered;
    }
  }

  private XdsStorm() {}

  public static void main(String[] args) throws Exception {
    Options options = new Options(args, OPTIONS);
    String started = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = Path.of(options.string("--out"));
    int clientWarmup = options.integer("--client-warmup");
    for (String server : options.list("--servers")) {
      for (String protocol : options.list("--protocol")) {
        if (clientWarmup > 0) {
          // Warms the harness's JVM (the clients) up, unrecorded.
          storm(options, server, protocol, clientWarmup, out, started + "-client-warmup");
        }
      }
    }
    List<Result> results = new ArrayList<>();
    for (int n : options.integers("--n")) {
      for (String protocol : options.list("--protocol")) {
        for (String server : options.list("--servers")) {
          Result result = storm(options, server, protocol, n, out, started);
          results.add(result);
          System.out.println(line(result));
        }
      }
    }
    String table = table(results);
    System.out.println();
    System.out.println(table);
    Files.createDirectories(out);
    Path file = out.resolve("xds-storm-" + started + ".md");
    Files.writeString(file, table);
    System.out.println("written to " + file);
  }

  private static Result storm(
      Options options, String server, String protocolName, int n, Path out, String started)
      throws IOException, InterruptedException, TimeoutException {
    ServerProcess.Kind kind = XdsFleet.kind(server);
    Fleet.Protocol protocol = XdsFleet.protocol(protocolName);
    int perConnection = options.integer("--per-connection");
    String scenario = "storm-" + server + "-" + protocolName + "-" + n + "-" + perConnection;
    System.err.printf(Locale.ROOT, "%s: starting%n", scenario);
    FleetResources resources = new FleetResources(options.integer("--services"));
    try (ServerProcess process =
            new ServerProcess(
                kind,
                XdsFleet.jvmOptions(options),
                XdsFleet.serverArgs(options, kind),
                out.resolve("logs").resolve(started + "-" + scenario + ".log"));
        Probe probe = new Probe(process.port(), options.integer("--probe-interval"));
        Fleet fleet = new Fleet(process.port(), protocol, resources, n, perConnection)) {
      probe.once(); // connects the probe's channel before the storm
      boolean recording = options.has("--jfr") && !started.endsWith("warmup");
      if (recording) {
        process.ask("jfr-start", 30);
      }
      long cpuBefore = process.cpuNanos();
      Thread prober = new Thread(probe::run, "probe");
      prober.start();
      Thread.sleep(500);
      long start = System.nanoTime();
      fleet.open(0, n);
      double openMillis = (System.nanoTime() - start) / 1e6;
      try {
        fleet.awaitReady(n, options.integer("--timeout") * 1000L);
      } finally {
        Thread.sleep(1000); // the probe goes on a while after the storm
        probe.stop();
        prober.join(PROBE_TIMEOUT_MILLIS * 2);
      }
      double[] ready = Stats.millisSince(start, fleet.readyTimes());
      double cpuMillis = (process.cpuNanos() - cpuBefore) / 1e6;
      if (recording) {
        Path file = Path.of(options.string("--jfr")).toAbsolutePath().resolve(scenario + ".jfr");
        Files.createDirectories(file.getParent());
        process.ask("jfr-stop " + file, 60);
        System.err.printf("%s: recording of the storm in %s%n", scenario, file);
      }
      System.err.printf(
          Locale.ROOT,
          "%s: probes (ms): %s%n",
          scenario,
          probe.latencies.stream()
              .map(millis -> String.format(Locale.ROOT, "%.0f", millis))
              .toList());
      return new Result(
          kind.label,
          protocolName,
          n,
          perConnection,
          openMillis,
          ready,
          cpuMillis,
          List.copyOf(probe.latencies),
          probe.unanswered);
    }
  }

  /**
   * Opens, every interval, a new ADS stream on its own connection asking for clusters, and times
   * the first response; one probe at a time, at most 10 s each, at most 10,000 probes.
   */
  private static final class Probe implements AutoCloseable {
    private final EventLoopGroup loop;
    private final ManagedChannel channel;
    private final long intervalMillis;
    private final Node node = Node.newBuilder().setId("probe").setCluster("probe").build();
    final List<Double> latencies = new CopyOnWriteArrayList<>();
    volatile int unanswered;
    private volatile boolean stopped;

    Probe(int port, long intervalMillis) {
      // An event loop of its own: in the shared one it would queue behind the storm's thousands of
      // connections in this JVM, and time the harness rather than the server.
      this.loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      this.channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port)
              .usePlaintext()
              .eventLoopGroup(loop)
              .channelType(NioSocketChannel.class)
              .directExecutor()
              .build();
      this.intervalMillis = intervalMillis;
    }

    /** One probe: the milliseconds until the first response, or -1 when none came in time. */
    double once() throws InterruptedException {
      CountDownLatch answered = new CountDownLatch(1);
      AtomicReference<ClientCallStreamObserver<DiscoveryRequest>> call = new AtomicReference<>();
      long start = System.nanoTime();
      AggregatedDiscoveryServiceGrpc.newStub(channel)
          .streamAggregatedResources(
              new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> requests) {
                  call.set(requests);
                }

                @Override
                public void onNext(DiscoveryResponse response) {
                  answered.countDown();
                }

                @Override
                public void onError(Throwable error) {}

                @Override
                public void onCompleted() {}
              })
          .onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(Fleet.CLUSTER).build());
      boolean inTime = answered.await(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      double millis = (System.nanoTime() - start) / 1e6;
      call.get().cancel("probe done", null);
      return inTime ? millis : -1;
    }

    void run() {
      try {
        for (int i = 0; i < 10_000 && !stopped; i++) {
          double millis = once();
          if (millis < 0) {
            unanswered++;
          } else {
            latencies.add(millis);
          }
          Thread.sleep(intervalMillis);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void stop() {
      stopped = true;
    }

    @Override
    public void close() {
      stopped = true;
      channel.shutdownNow();
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  static String line(Result r) {
    return String.format(
        Locale.ROOT,
        "%s %s storm n=%d per-connection=%d: all ready %.0f ms (p50 %.0f, p99 %.0f), streams"
            + " opened in %.0f ms, server CPU %.0f ms, probes %d (worst %.0f ms, over 1 s or"
            + " unanswered: %d)",
        r.server(),
        r.protocol(),
        r.n(),
        r.perConnection(),
        Stats.max(r.ready()),
        Stats.percentile(r.ready(), 50),
        Stats.percentile(r.ready(), 99),
        r.openMillis(),
        r.cpuMillis(),
        r.probes().size() + r.probesUnanswered(),
        r.worstProbe(),
        r.probesOverOneSecond());
  }

  static String table(List<Result> results) {
    StringBuilder table = new StringBuilder();
    table.append(
        "| protocol | N | streams/conn | server | all have first config ms | p50 ms | p99 ms |"
            + " server CPU ms | probes | worst probe ms | probes > 1 s |\n");
    table.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      table.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %d | %s | %.0f | %.0f | %.0f | %.0f | %d | %.0f | %d |%n",
              r.protocol(),
              r.n(),
              r.perConnection(),
              r.server(),
              Stats.max(r.ready()),
              Stats.percentile(r.ready(), 50),
              Stats.percentile(r.ready(), 99),
              r.cpuMillis(),
              r.probes().size() + r.probesUnanswered(),
              r.worstProbe(),
              r.probesOverOneSecond()));
    }
    return table.toString();
  }
}
