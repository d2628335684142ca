package dev.meshroll.bench;

import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.PromoteRequest;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RolloutList;
import dev.meshroll.proto.v1.RolloutRef;
import dev.meshroll.proto.v1.RolloutsGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The host at scale: the packaged standalone host (host-runner/target/meshroll) in a JVM of its own
 * with N rollouts (one spec file each) and the e2e recording router, which appends a line per
 * intent it receives. Measures the time until all N rollouts wait in their first pause, the host's
 * heap after GC then, the time from a {@code promote} command to the intent reaching the router and
 * from a pause's timer to the next intent reaching it (p50, p99) while all N are loaded, and the
 * start-up time of a host restarted on N state files.
 *
 * <p>{@code bench/run.sh HostScale [--n 10000] [--samples 200]}.
 */
public final class HostScale {
  private static final Map<String, String> OPTIONS = new LinkedHashMap<>();
  private static final Pattern APPLY = Pattern.compile("^apply (\\S+) (\\d+) \\{.*canary=(\\d+)");

  static {
    OPTIONS.put("--n", "10000");
    OPTIONS.put("--samples", "200");
    OPTIONS.put("--timer-seconds", "30");
    OPTIONS.put("--host-heap", "3g");
    OPTIONS.put("--timeout", "900");
    OPTIONS.put("--distribution", null);
    OPTIONS.put("--plugin", null);
    OPTIONS.put("--out", "bench/target/bench-results");
  }

  private HostScale() {}

  public static void main(String[] args) throws Exception {
    Options options = new Options(args, OPTIONS);
    int n = options.integer("--n");
    int samples = Math.min(n, options.integer("--samples"));
    long timeoutMillis = options.integer("--timeout") * 1000L;
    Path repository = repository();
    Path distribution =
        options.has("--distribution")
            ? Path.of(options.string("--distribution"))
            : repository.resolve("host-runner/target/meshroll");
    Path plugin = options.has("--plugin") ? Path.of(options.string("--plugin")) : testRouter();
    Path folder = Files.createTempDirectory("meshroll-host-scale");
    int grpcPort = freePort();
    int httpPort = freePort();
    setUp(folder, plugin, grpcPort, httpPort, n, options.integer("--timer-seconds"));
    List<String> report = new ArrayList<>();
    report.add(
        String.format(
            Locale.ROOT,
            "%,d rollouts (one spec file each: setWeight 10, pause, setWeight 20, pause %ss,"
                + " setWeight 40, pause), recording router, host -Xmx%s",
            n,
            options.string("--timer-seconds"),
            options.string("--host-heap")));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
            .usePlaintext()
            .maxInboundMessageSize(512 << 20)
            .build();
    try (CallLog calls = new CallLog(folder.resolve("calls.log"))) {
      RolloutsGrpc.RolloutsBlockingStub api = RolloutsGrpc.newBlockingStub(channel);
      long started = System.nanoTime();
      try (Host host = new Host(distribution, folder, options.string("--host-heap"), httpPort)) {
        double healthy = host.awaitHealthy(timeoutMillis);
        double allPaused =
            awaitAll(api, n, rollout -> rollout.getPhase() == Phase.PAUSED, timeoutMillis, started);
        report.add(
            String.format(
                Locale.ROOT,
                "first start, empty state: HTTP API up after %.1f s; all %,d rollouts paused at"
                    + " their first pause after %.1f s",
                healthy,
                n,
                allPaused));
        report.add(String.format(Locale.ROOT, "heap after GC, all loaded: %s", host.heap()));

        // Commands: promote a sample, one at a time, and time each until its intent is recorded.
        List<Double> commandMillis = new ArrayList<>();
        Map<String, Long> promotedAt = new LinkedHashMap<>();
        for (int i = 0; i < samples; i++) {
          String name = "r-" + (i * (n / samples));
          long sent = System.nanoTime();
          api.withDeadlineAfter(30, TimeUnit.SECONDS)
              .promote(PromoteRequest.newBuilder().setRollout(ref(name)).build());
          promotedAt.put(name, sent);
          Thread.sleep(50);
        }
        for (Map.Entry<String, Long> promoted : promotedAt.entrySet()) {
          long seen = calls.await("scale/" + promoted.getKey(), 20, timeoutMillis);
          commandMillis.add((seen - promoted.getValue()) / 1e6);
        }
        report.add(latencies("promote command -> intent at the router", commandMillis));

        // Timers: each sampled rollout now waits in a timed pause; its deadline is the step's
        // start (as the host reports it) plus the duration.
        awaitAll(
            api,
            n,
            rollout ->
                !promotedAt.containsKey(rollout.getRef().getName()) || rollout.getStep() >= 3,
            timeoutMillis,
            started);
        List<Double> timerMillis = new ArrayList<>();
        for (String name : promotedAt.keySet()) {
          Rollout rollout = api.withDeadlineAfter(30, TimeUnit.SECONDS).get(ref(name));
          // When the timed pause (step 3) began: the step's start, or its transition if the
          // rollout has moved on already.
          com.google.protobuf.Timestamp pauseStart =
              rollout.getStep() == 3
                  ? rollout.getStepStartedAt()
                  : rollout.getHistoryList().stream()
                      .filter(transition -> transition.getStep() == 3)
                      .map(dev.meshroll.proto.v1.Transition::getAt)
                      .findFirst()
                      .orElseThrow(
                          () -> new IllegalStateException(name + ": no step 3 in " + rollout));
          long deadlineMillis =
              pauseStart.getSeconds() * 1000
                  + pauseStart.getNanos() / 1_000_000
                  + options.integer("--timer-seconds") * 1000L;
          long seenNanos = calls.await("scale/" + name, 40, timeoutMillis);
          long seenMillis = calls.wallMillis(seenNanos);
          timerMillis.add((double) (seenMillis - deadlineMillis));
        }
        report.add(latencies("pause timer -> intent at the router", timerMillis));
        report.add(
            String.format(Locale.ROOT, "heap after GC, after the commands: %s", host.heap()));
      }

      // A restart on the state files the first run wrote.
      long restarted = System.nanoTime();
      try (Host host = new Host(distribution, folder, options.string("--host-heap"), httpPort)) {
        double healthy = host.awaitHealthy(timeoutMillis);
        double allBack =
            awaitAll(api, n, rollout -> rollout.getStep() >= 1, timeoutMillis, restarted);
        long stateFiles;
        try (Stream<Path> files = Files.list(folder.resolve("state"))) {
          stateFiles = files.count();
        }
        report.add(
            String.format(
                Locale.ROOT,
                "restart on %,d state files: HTTP API up after %.1f s; all %,d rollouts back"
                    + " (listed at their step) after %.1f s",
                stateFiles,
                healthy,
                n,
                allBack));
        report.add(String.format(Locale.ROOT, "heap after GC, restarted: %s", host.heap()));
      }
    } finally {
      channel.shutdownNow();
      delete(folder);
    }
    String text = String.join("\n", report) + "\n";
    System.out.println(text);
    Path out = Path.of(options.string("--out"));
    Files.createDirectories(out);
    Path file =
        out.resolve(
            "host-scale-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + ".md");
    Files.writeString(file, text);
    System.out.println("written to " + file);
  }

  private static RolloutRef ref(String name) {
    return RolloutRef.newBuilder().setNamespace("scale").setName(name).build();
  }

  static String latencies(String what, List<Double> millis) {
    double[] values = millis.stream().mapToDouble(Double::doubleValue).toArray();
    return String.format(
        Locale.ROOT,
        "%s: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d samples)",
        what,
        Stats.percentile(values, 50),
        Stats.percentile(values, 99),
        Stats.max(values),
        values.length);
  }

  /** Seconds from {@code since} until {@code count} listed rollouts satisfy {@code done}. */
  private static double awaitAll(
      RolloutsGrpc.RolloutsBlockingStub api,
      int count,
      Predicate<Rollout> done,
      long timeoutMillis,
      long since)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long satisfied = 0;
    while (System.nanoTime() < deadline) {
      try {
        RolloutList list =
            api.withDeadlineAfter(60, TimeUnit.SECONDS)
                .list(dev.meshroll.proto.v1.ListRequest.getDefaultInstance());
        satisfied = list.getRolloutsList().stream().filter(done).count();
        if (satisfied >= count) {
          return (System.nanoTime() - since) / 1e9;
        }
      } catch (io.grpc.StatusRuntimeException e) {
        // not up yet
      }
      Thread.sleep(500);
    }
    throw new TimeoutException(
        "only "
            + satisfied
            + " of "
            + count
            + " rollouts were ready within "
            + timeoutMillis
            + " ms");
  }

  private static void setUp(
      Path folder, Path plugin, int grpcPort, int httpPort, int n, int timerSeconds)
      throws IOException {
    Path rollouts = Files.createDirectories(folder.resolve("rollouts"));
    Path plugins = Files.createDirectories(folder.resolve("plugins"));
    Files.copy(plugin, plugins.resolve(plugin.getFileName()));
    Files.writeString(
        folder.resolve("host.yaml"),
        """
        rollouts: rollouts
        state: state
        listen: 127.0.0.1:%d
        httpListen: 127.0.0.1:%d
        plugins:
          folder: plugins
          recorder: {log: calls.log}
        """
            .formatted(grpcPort, httpPort));
    for (int i = 0; i < n; i++) {
      Files.writeString(
          rollouts.resolve("r-" + i + ".yaml"),
          """
          apiVersion: meshroll.dev/v1alpha1
          kind: Rollout
          metadata: {name: r-%d, namespace: scale}
          spec:
            strategy:
              canary:
                trafficRouting:
                  recorder: {}
                steps:
                - setWeight: 10
                - pause: {}
                - setWeight: 20
                - pause: {duration: %ds}
                - setWeight: 40
                - pause: {}
          """
              .formatted(i, timerSeconds));
    }
  }

  /** The repository's root: this jar sits in bench/target. */
  private static Path repository() throws java.net.URISyntaxException {
    Path jar = Path.of(HostScale.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return jar.toAbsolutePath().getParent().getParent().getParent();
  }

  /** The e2e recording router's plugin zip, which the build copies to bench/target/host-plugins. */
  private static Path testRouter() throws IOException, java.net.URISyntaxException {
    Path folder = repository().resolve("bench/target/host-plugins");
    try (Stream<Path> zips = Files.list(folder)) {
      return zips.filter(zip -> zip.getFileName().toString().startsWith("test-router"))
          .findFirst()
          .orElseThrow(() -> new IOException("no test-router zip in " + folder));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void delete(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  /** The packaged host, run as the e2e tests run it; closing it stops it (SIGTERM, then KILL). */
  private static final class Host implements AutoCloseable {
    private final Process process;
    private final int httpPort;
    private final long started = System.nanoTime();

    Host(Path distribution, Path folder, String heap, int httpPort) throws IOException {
      this.httpPort = httpPort;
      process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx" + heap,
                  "-Dmeshroll.home=" + distribution,
                  "-cp",
                  distribution.resolve("lib") + "/*",
                  "dev.meshroll.host.cli.Main",
                  "run",
                  "--config",
                  folder.resolve("host.yaml").toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("host.log").toFile()))
              .start();
      ServerProcess.track(process);
    }

    /** Seconds from the start until /healthz answers 200. */
    double awaitHealthy(long timeoutMillis) throws InterruptedException, TimeoutException {
      HttpClient http = HttpClient.newHttpClient();
      long deadline = started + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the host exited with " + process.exitValue());
        }
        try {
          HttpResponse<Void> response =
              http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/healthz"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() == 200) {
            return (System.nanoTime() - started) / 1e9;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(50);
      }
      throw new TimeoutException("the host's /healthz did not answer within " + timeoutMillis);
    }

    /** jcmd GC.run, then GC.heap_info's first lines. */
    String heap() throws IOException, InterruptedException {
      jcmd("GC.run");
      jcmd("GC.run");
      String info = jcmd("GC.heap_info");
      Matcher used = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(info);
      return used.find()
          ? String.format(
              Locale.ROOT,
              "%.0f MB used (heap committed %.0f MB)",
              Long.parseLong(used.group(2)) / 1024.0,
              Long.parseLong(used.group(1)) / 1024.0)
          : info.strip();
    }

    private String jcmd(String command) throws IOException, InterruptedException {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(process.pid()),
                  command)
              .redirectErrorStream(true)
              .start();
      String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!jcmd.waitFor(120, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
        throw new IOException("jcmd " + command + " did not end within 120 s");
      }
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      ServerProcess.untrack(process);
    }
  }

  /**
   * The recording router's log, tailed every millisecond: when each apply line (rollout, canary
   * weight) first appeared, in {@link System#nanoTime}.
   */
  private static final class CallLog implements AutoCloseable {
    private final Path file;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final Thread tail;
    private final long nanoOrigin = System.nanoTime();
    private final long wallOrigin = System.currentTimeMillis();
    private volatile boolean stopped;

    CallLog(Path file) {
      this.file = file;
      this.tail = new Thread(this::tail, "call-log");
      tail.setDaemon(true);
      tail.start();
    }

    private void tail() {
      long position = 0;
      StringBuilder partial = new StringBuilder();
      byte[] buffer = new byte[1 << 16];
      while (!stopped) {
        try {
          if (Files.exists(file)) {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
              in.seek(position);
              int read;
              while ((read = in.read(buffer)) > 0) {
                position += read;
                long now = System.nanoTime();
                partial.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                int end;
                while ((end = partial.indexOf("\n")) >= 0) {
                  Matcher apply = APPLY.matcher(partial.substring(0, end));
                  if (apply.find()) {
                    seen.putIfAbsent(apply.group(1) + "@" + apply.group(3), now);
                  }
                  partial.delete(0, end + 1);
                }
              }
            }
          }
          Thread.sleep(1);
        } catch (IOException e) {
          // the file is being created: try again
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** When the apply of {@code canary}% for {@code rollout} appeared, waiting for it. */
    long await(String rollout, int canary, long timeoutMillis)
        throws InterruptedException, TimeoutException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      String key = rollout + "@" + canary;
      while (System.nanoTime() < deadline) {
        Long at = seen.get(key);
        if (at != null) {
          return at;
        }
        Thread.sleep(5);
      }
      throw new TimeoutException("no apply of canary " + canary + " for " + rollout);
    }

    /** A {@link System#nanoTime} reading of this JVM as wall-clock milliseconds. */
    long wallMillis(long nanos) {
      return wallOrigin + (nanos - nanoOrigin) / 1_000_000;
    }

    @Override
    public void close() throws InterruptedException {
      stopped = true;
      tail.join(5000);
    }
  }
}
