package dev.meshroll.bench;

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
import java.util.concurrent.TimeoutException;

/**
 * The xDS fleet harness: for each fleet size, streams-per-connection layout and protocol, starts
 * each server (ours, then java-control-plane's) in a JVM of its own, connects a {@link Fleet},
 * measures the server's heap per stream after GC while idle, then changes service 0's route weights
 * a number of times and measures, per push, the time from the push command until each stream has
 * received and ACKed the new route, and the server's CPU time for the push.
 *
 * <p>{@code bench/run.sh XdsFleet [--n 1000,10000] [--per-connection 1,100] [--protocol sotw,delta]
 * [--servers meshroll,peer] ...}; see the README.
 */
public final class XdsFleet {
  private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("--n", "1000,10000");
    OPTIONS.put("--per-connection", "1,100");
    OPTIONS.put("--protocol", "sotw,delta");
    OPTIONS.put("--servers", "meshroll,peer");
    OPTIONS.put("--services", "10");
    OPTIONS.put("--warmup", "10");
    OPTIONS.put("--client-warmup", "500");
    OPTIONS.put("--pushes", "10");
    OPTIONS.put("--connect-batch", "500");
    OPTIONS.put("--timeout", "120");
    OPTIONS.put("--server-heap", "2g");
    OPTIONS.put("--peer-serializer", "default");
    OPTIONS.put("--jfr", null);
    OPTIONS.put("--histogram", null);
    OPTIONS.put("--out", "bench/target/bench-results");
  }

  /** Where a server's CPU time went, by thread group, in the order of {@link #CPU_GROUPS}. */
  static final List<String> CPU_GROUPS =
      List.of("publish + fan-out", "event loops", "gRPC executor", "other threads", "GC, JIT, VM");

  /** Wall-clock readings the server reports beside CPU time: collecting and compiling. */
  static final List<String> WALL_GROUPS = List.of("gc-wall", "jit-wall");

  /**
   * One measured push.
   *
   * @param cpuSplit server CPU milliseconds by {@link #CPU_GROUPS}
   * @param clientCpuMillis the harness's own CPU time (the simulated Envoys) during the push
   */
  record Push(
      double[] latencies,
      double cpuMillis,
      double[] cpuSplit,
      double clientCpuMillis,
      double[] wall,
      long extraResponses) {}

  /** One server measured in one scenario. */
  record Result(
      String server,
      String protocol,
      int n,
      int perConnection,
      double connectSeconds,
      double heapPerStream,
      String load,
      List<Push> pushes) {
    double[] pooled() {
      return pushes.stream()
          .flatMapToDouble(push -> java.util.Arrays.stream(push.latencies()))
          .toArray();
    }

    double p50() {
      return Stats.percentile(pooled(), 50);
    }

    double p99() {
      return Stats.percentile(pooled(), 99);
    }

    double max() {
      return Stats.max(pooled());
    }

    /** The median over pushes of the time until the last stream had ACKed. */
    double allAcked() {
      return Stats.median(pushes.stream().map(push -> Stats.max(push.latencies())).toList());
    }

    double cpuMillis() {
      return Stats.median(pushes.stream().map(Push::cpuMillis).toList());
    }

    double cpuSplit(int group) {
      return Stats.median(pushes.stream().map(push -> push.cpuSplit()[group]).toList());
    }

    double wall(int index) {
      return Stats.median(pushes.stream().map(push -> push.wall()[index]).toList());
    }

    double clientCpuMillis() {
      return Stats.median(pushes.stream().map(Push::clientCpuMillis).toList());
    }

    long extraResponses() {
      return pushes.stream().mapToLong(Push::extraResponses).sum();
    }
  }

  private XdsFleet() {}

  public static void main(String[] args) throws Exception {
    Options options = new Options(args, OPTIONS);
    String started = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = Path.of(options.string("--out"));
    List<Result> results = new ArrayList<>();
    int clientWarmup = options.integer("--client-warmup");
    if (clientWarmup > 0) {
      // The harness's own JVM (the clients) warms up here, unrecorded, so that the first
      // server measured does not pay for it.
      for (String server : options.list("--servers")) {
        run(options, server, "sotw", clientWarmup, 1, 0, 5, out, started + "-client-warmup");
        run(options, server, "delta", clientWarmup, 1, 0, 5, out, started + "-client-warmup");
      }
    }
    for (int n : options.integers("--n")) {
      for (int perConnection : options.integers("--per-connection")) {
        for (String protocol : options.list("--protocol")) {
          for (String server : options.list("--servers")) {
            Result result =
                run(
                    options,
                    server,
                    protocol,
                    n,
                    perConnection,
                    options.integer("--warmup"),
                    options.integer("--pushes"),
                    out,
                    started);
            results.add(result);
            System.out.println(line(result));
          }
        }
      }
    }
    String table = table(results, options);
    System.out.println();
    System.out.println(table);
    Files.createDirectories(out);
    Path file = out.resolve("xds-fleet-" + started + ".md");
    Files.writeString(file, table);
    System.out.println("written to " + file);
  }

  static ServerProcess.Kind kind(String server) {
    return switch (server) {
      case "meshroll" -> ServerProcess.Kind.OURS;
      case "peer" -> ServerProcess.Kind.PEER;
      default ->
          throw new IllegalArgumentException(
              "server '" + server + "' (expected: meshroll or peer)");
    };
  }

  static Fleet.Protocol protocol(String protocol) {
    return switch (protocol) {
      case "sotw" -> Fleet.Protocol.SOTW;
      case "delta" -> Fleet.Protocol.DELTA;
      default ->
          throw new IllegalArgumentException(
              "protocol '" + protocol + "' (expected: sotw or delta)");
    };
  }

  /** The server JVM's options: the same for both servers. */
  static List<String> jvmOptions(Options options) {
    return List.of(
        "-Xms" + options.string("--server-heap"),
        "-Xmx" + options.string("--server-heap"),
        "-XX:+UseG1GC",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
  }

  static List<String> serverArgs(Options options, ServerProcess.Kind kind) {
    List<String> args = new ArrayList<>(List.of("--services", options.string("--services")));
    if (kind == ServerProcess.Kind.PEER) {
      args.addAll(List.of("--serializer", options.string("--peer-serializer")));
    }
    return args;
  }

  private static Result run(
      Options options,
      String server,
      String protocolName,
      int n,
      int perConnection,
      int warmup,
      int measured,
      Path out,
      String started)
      throws IOException, InterruptedException, TimeoutException {
    ServerProcess.Kind kind = kind(server);
    Fleet.Protocol protocol = protocol(protocolName);
    FleetResources resources = new FleetResources(options.integer("--services"));
    long timeout = options.integer("--timeout") * 1000L;
    String scenario = server + "-" + protocolName + "-" + n + "-" + perConnection;
    boolean recording = options.has("--jfr") && measured > 0 && !started.endsWith("warmup");
    String load = loadAverage();
    System.err.printf(Locale.ROOT, "%s: starting%n", scenario);
    try (ServerProcess process =
        new ServerProcess(
            kind,
            jvmOptions(options),
            serverArgs(options, kind),
            out.resolve("logs").resolve(started + "-" + scenario + ".log"))) {
      long baseline = process.heapAfterGc();
      try (Fleet fleet = new Fleet(process.port(), protocol, resources, n, perConnection)) {
        long connectStart = System.nanoTime();
        int batch = options.integer("--connect-batch");
        for (int from = 0; from < n; from += batch) {
          int to = Math.min(n, from + batch);
          fleet.open(from, to);
          fleet.awaitReady(to, timeout);
        }
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        Thread.sleep(1000);
        long idle = process.heapAfterGc();
        double heapPerStream = (idle - baseline) / (double) n;
        if (options.has("--histogram") && !started.endsWith("warmup")) {
          histogram(process, Path.of(options.string("--histogram")).resolve(scenario + ".txt"));
        }
        System.err.printf(
            Locale.ROOT,
            "%s: %d streams connected in %.1f s; heap %d -> %d bytes (%.0f per stream)%n",
            scenario,
            n,
            connectSeconds,
            baseline,
            idle,
            heapPerStream);
        List<Push> pushes = new ArrayList<>();
        for (int push = 0; push < warmup + measured; push++) {
          if (push == 0 && recording) {
            process.ask("jfr-start", 30); // before the warm-up, so no measured push starts it
          }
          int weight = 2 + push % 97;
          fleet.expect(weight);
          Map<String, Long> cpuBefore = process.threadCpuNanos();
          long responsesBefore = fleet.responses();
          long clientCpuBefore = ServerControl.cpuNanos();
          long start = System.nanoTime();
          process.send("push " + weight);
          fleet.awaitRouteAcked(timeout);
          double[] latencies = Stats.millisSince(start, fleet.routeAckTimes());
          double clientCpuMillis = (ServerControl.cpuNanos() - clientCpuBefore) / 1e6;
          process.reply(timeout / 1000); // PUSHED: the push call has returned
          Thread.sleep(300); // let the last ACKs be handled before reading the CPU time
          Map<String, Long> cpuAfter = process.threadCpuNanos();
          double[] split = cpuSplit(cpuBefore, cpuAfter);
          double[] wall =
              WALL_GROUPS.stream()
                  .mapToDouble(name -> (cpuAfter.get(name) - cpuBefore.get(name)) / 1e6)
                  .toArray();
          double cpuMillis = java.util.Arrays.stream(split).sum();
          long extra = fleet.responses() - responsesBefore - n;
          System.err.printf(
              Locale.ROOT,
              "%s: push %d%s: p50 %.1f ms, p99 %.1f ms, max %.1f ms, server cpu %.0f ms %s,"
                  + " gc %.0f ms, jit %.0f ms (wall), harness cpu %.0f ms, extra responses %d%n",
              scenario,
              push,
              push < warmup ? " (warm-up)" : "",
              Stats.percentile(latencies, 50),
              Stats.percentile(latencies, 99),
              Stats.max(latencies),
              cpuMillis,
              java.util.Arrays.toString(
                  java.util.Arrays.stream(split).mapToLong(Math::round).toArray()),
              wall[0],
              wall[1],
              clientCpuMillis,
              extra);
          if (push >= warmup) {
            pushes.add(new Push(latencies, cpuMillis, split, clientCpuMillis, wall, extra));
          }
          Thread.sleep(200);
        }
        if (recording) {
          Path file = Path.of(options.string("--jfr")).toAbsolutePath().resolve(scenario + ".jfr");
          Files.createDirectories(file.getParent());
          process.ask("jfr-stop " + file, 60);
          System.err.printf("%s: recording of the measured pushes in %s%n", scenario, file);
        }
        return new Result(
            kind.label,
            protocolName,
            n,
            perConnection,
            connectSeconds,
            heapPerStream,
            load,
            pushes);
      }
    }
  }

  /** Writes the server's class histogram (live objects, after a full GC) with jcmd. */
  static void histogram(ServerProcess process, Path file) throws IOException, InterruptedException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()),
                "GC.class_histogram")
            .redirectOutput(file.toFile())
            .redirectErrorStream(true)
            .start();
    if (!jcmd.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
      jcmd.destroyForcibly();
      throw new IOException("jcmd GC.class_histogram did not end within 120 s");
    }
    System.err.printf("class histogram of the idle server in %s%n", file);
  }

  /** The machine's load averages (1, 5, 15 minutes), as /proc/loadavg has them. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "?";
    }
  }

  /** CPU milliseconds by {@link #CPU_GROUPS} between two readings of the server's threads. */
  static double[] cpuSplit(Map<String, Long> before, Map<String, Long> after) {
    double[] split = new double[CPU_GROUPS.size()];
    double threads = 0;
    for (Map.Entry<String, Long> group : after.entrySet()) {
      if (group.getKey().equals("process") || group.getKey().endsWith("-wall")) {
        continue;
      }
      double millis = (group.getValue() - before.getOrDefault(group.getKey(), 0L)) / 1e6;
      String name = group.getKey();
      int index =
          name.equals("main") || name.equals("xds-fanout")
              ? 0
              : name.contains("ELG") ? 1 : name.contains("executor") ? 2 : 3;
      split[index] += millis;
      threads += millis;
    }
    split[4] = Math.max(0, (after.get("process") - before.get("process")) / 1e6 - threads);
    return split;
  }

  static String line(Result result) {
    return String.format(
        Locale.ROOT,
        "%s %s n=%d per-connection=%d: p50 %.1f ms, p99 %.1f ms, all acked %.1f ms (median),"
            + " max %.1f ms, cpu %.0f ms/push, heap %.0f bytes/stream, connect %.1f s, extra"
            + " responses %d",
        result.server(),
        result.protocol(),
        result.n(),
        result.perConnection(),
        result.p50(),
        result.p99(),
        result.allAcked(),
        result.max(),
        result.cpuMillis(),
        result.heapPerStream(),
        result.connectSeconds(),
        result.extraResponses());
  }

  /** The results as a Markdown table, with peer/ours ratios under each pair. */
  static String table(List<Result> results, Options options) {
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            "services %s, %s warm-up + %s measured pushes per scenario; latencies over every"
                + " stream of every measured push%n%n",
            options.string("--services"),
            options.string("--warmup"),
            options.string("--pushes")));
    table.append(
        "| protocol | N | streams/conn | server | p50 ms | p99 ms | all ACKed ms (median push)"
            + " | max ms | server CPU ms/push | heap KB/stream | connect s |\n");
    table.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < results.size(); i++) {
      Result r = results.get(i);
      table.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %d | %s | %.1f | %.1f | %.1f | %.1f | %.0f | %.1f | %.1f |%n",
              r.protocol(),
              r.n(),
              r.perConnection(),
              r.server(),
              r.p50(),
              r.p99(),
              r.allAcked(),
              r.max(),
              r.cpuMillis(),
              r.heapPerStream() / 1024,
              r.connectSeconds()));
      if (i > 0) {
        Result previous = results.get(i - 1);
        if (previous.server().equals(ServerProcess.Kind.OURS.label)
            && r.server().equals(ServerProcess.Kind.PEER.label)
            && previous.n() == r.n()
            && previous.perConnection() == r.perConnection()
            && previous.protocol().equals(r.protocol())) {
          table.append(
              String.format(
                  Locale.ROOT,
                  "| | | | **peer / meshroll** | %s | %s | %s | %s | %s | %s | |%n",
                  Stats.ratio(r.p50(), previous.p50()),
                  Stats.ratio(r.p99(), previous.p99()),
                  Stats.ratio(r.allAcked(), previous.allAcked()),
                  Stats.ratio(r.max(), previous.max()),
                  Stats.ratio(r.cpuMillis(), previous.cpuMillis()),
                  Stats.ratio(r.heapPerStream(), previous.heapPerStream())));
        }
      }
    }
    table.append(
        "\nServer CPU ms per push by thread group, and the harness's own (the simulated Envoys'),"
            + " medians of the measured pushes; the machine's load average when the scenario"
            + " began:\n\n");
    table.append("| protocol | N | streams/conn | server | ");
    CPU_GROUPS.forEach(group -> table.append(group).append(" | "));
    table.append("server total | GC (wall) | JIT (wall) | harness | load avg |\n");
    table
        .append("|---|---|---|---|")
        .append("---|".repeat(CPU_GROUPS.size()))
        .append("---|---|---|---|---|\n");
    for (Result r : results) {
      table.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %d | %s | ",
              r.protocol(),
              r.n(),
              r.perConnection(),
              r.server()));
      for (int group = 0; group < CPU_GROUPS.size(); group++) {
        table.append(String.format(Locale.ROOT, "%.0f | ", r.cpuSplit(group)));
      }
      table.append(
          String.format(
              Locale.ROOT,
              "%.0f | %.0f | %.0f | %.0f | %s |%n",
              r.cpuMillis(),
              r.wall(0),
              r.wall(1),
              r.clientCpuMillis(),
              r.load()));
    }
    return table.toString();
  }
}
