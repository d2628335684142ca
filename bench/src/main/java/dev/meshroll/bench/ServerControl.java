package dev.meshroll.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The server side of the line protocol by which a harness drives an xDS server JVM it started: the
 * server prints {@code READY <port>}, then answers each command on standard input with one line on
 * standard output. Commands: {@code push <weight>} (serve service 0 with that canary weight;
 * answers {@code PUSHED <nanos the call took>}), {@code cpu} ({@code CPU <process CPU nanos>}),
 * {@code heap} (collects garbage, then {@code HEAP <used bytes>}), {@code jfr-start} and {@code
 * jfr-stop <file>} (a Flight Recording with the {@code profile} settings), {@code quit}. The server
 * exits when its input ends, so a harness that dies takes its servers with it.
 */
public final class ServerControl {
  /** What a server does on {@code push}. */
  public interface Pusher {
    void push(int canaryWeight) throws Exception;
  }

  private static Recording recording;

  private ServerControl() {}

  /** Announces {@code port} and serves commands until {@code quit} or the end of input. */
  public static void serve(int port, Pusher pusher) throws Exception {
    // Standard output carries the protocol only; anything else a library prints goes to stderr.
    PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    protocol.println("READY " + port);
    BufferedReader commands =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = commands.readLine(); line != null; line = commands.readLine()) {
      String[] words = line.trim().split(" ");
      switch (words[0]) {
        case "push" -> {
          long start = System.nanoTime();
          pusher.push(Integer.parseInt(words[1]));
          protocol.println("PUSHED " + (System.nanoTime() - start));
        }
        case "cpu" -> protocol.println("CPU " + cpuNanos());
        case "threads" -> protocol.println("THREADS " + threadCpu());
        case "heap" -> protocol.println("HEAP " + heapAfterGc());
        case "jfr-start" -> {
          recording = new Recording(Configuration.getConfiguration("profile"));
          recording.start();
          protocol.println("RECORDING 1");
        }
        case "jfr-stop" -> {
          recording.stop();
          recording.dump(Path.of(words[1]));
          recording.close();
          protocol.println("RECORDED 1");
        }
        case "quit" -> {
          protocol.println("BYE");
          System.exit(0);
        }
        default -> protocol.println("ERROR unknown command: " + line);
      }
    }
    System.exit(0);
  }

  /** CPU time of every thread of this process, GC included. */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU time by thread group (the thread name with its digits as N), {@code name=nanos} joined by
   * {@code ;}, with {@code process} for the whole process: what is not in a Java thread is the VM's
   * own (GC, JIT).
   */
  static String threadCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> groups = new TreeMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null) {
        long nanos = threads.getThreadCpuTime(info.getThreadId());
        if (nanos > 0) {
          groups.merge(info.getThreadName().replaceAll("[0-9]+", "N"), nanos, Long::sum);
        }
      }
    }
    groups.put("process", cpuNanos());
    // Not CPU time, but what explains the VM's share: wall milliseconds of collections (all
    // collectors) and of JIT compilation, as nanoseconds like the rest.
    long gcMillis = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcMillis += Math.max(0, collector.getCollectionTime());
    }
    groups.put("gc-wall", gcMillis * 1_000_000);
    groups.put(
        "jit-wall", ManagementFactory.getCompilationMXBean().getTotalCompilationTime() * 1_000_000);
    StringBuilder line = new StringBuilder();
    groups.forEach(
        (name, nanos) ->
            line.append(line.length() == 0 ? "" : ";")
                .append(name.replace(' ', '_').replace(';', '_').replace('=', '_'))
                .append('=')
                .append(nanos));
    return line.toString();
  }

  /** Heap in use after full collections, once it stops shrinking (at most five rounds). */
  static long heapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      System.gc();
      Thread.sleep(200);
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (now >= used) {
        return now;
      }
      used = now;
    }
    return used;
  }

  /** Reads an option {@code --name value} from {@code args}, or {@code fallback}. */
  static String option(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  /** The number of services a server main is asked to serve ({@code --services}). */
  public static FleetResources resources(String[] args) {
    return new FleetResources(Integer.parseInt(option(args, "--services", "10")));
  }

  /** The canary weight a server starts with ({@code --weight}). */
  public static int initialWeight(String[] args) {
    return Integer.parseInt(option(args, "--weight", "1"));
  }
}
