package dev.meshroll.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An xDS server in a JVM of its own, started by a harness with the harness's class path and driven
 * through {@link ServerControl}'s line protocol. Closing it (or the harness's JVM ending, by a
 * shutdown hook) kills it.
 */
final class ServerProcess implements AutoCloseable {
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "kill-servers"));
  }

  /** Kills {@code process} when this JVM ends, unless {@link #untrack}ed before. */
  static void track(Process process) {
    RUNNING.add(process);
  }

  static void untrack(Process process) {
    RUNNING.remove(process);
  }

  /** Which xDS server: ours or the peer's. */
  enum Kind {
    OURS("meshroll", "dev.meshroll.xds.BenchXdsServer"),
    PEER("java-control-plane", "dev.meshroll.bench.PeerXdsServer");

    final String label;
    final String mainClass;

    Kind(String label, String mainClass) {
      this.label = label;
      this.mainClass = mainClass;
    }
  }

  private final Kind kind;
  private final Process process;
  private final BufferedReader replies;
  private final PrintStream commands;
  private final ExecutorService reader = Executors.newSingleThreadExecutor();
  private final int port;

  /**
   * Starts {@code kind} and waits (at most 60 s) for it to listen.
   *
   * @param jvmOptions options for the server's JVM (heap, JFR)
   * @param serverArgs the main's own options ({@code --services}, ...)
   * @param log the file that takes the server's standard error
   */
  ServerProcess(Kind kind, List<String> jvmOptions, List<String> serverArgs, Path log)
      throws IOException, InterruptedException, TimeoutException {
    this.kind = kind;
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(kind.mainClass);
    command.addAll(serverArgs);
    Files.createDirectories(log.getParent());
    process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
    RUNNING.add(process);
    replies =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    try {
      String ready = reply(60);
      if (!ready.startsWith("READY ")) {
        throw new IOException(kind.label + " server said '" + ready + "' (expected: READY port)");
      }
      port = Integer.parseInt(ready.substring("READY ".length()));
    } catch (IOException | TimeoutException | RuntimeException e) {
      close();
      throw e;
    }
  }

  Kind kind() {
    return kind;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** Sends a command without waiting for its answer (see {@link #reply}). */
  void send(String command) {
    commands.println(command);
  }

  /** The next line the server answers, waiting at most {@code seconds}. */
  String reply(long seconds) throws IOException, InterruptedException, TimeoutException {
    Future<String> line = reader.submit(replies::readLine);
    try {
      String text = line.get(seconds, TimeUnit.SECONDS);
      if (text == null) {
        throw new IOException(
            kind.label + " server ended (exit " + process.waitFor() + "); see its log");
      }
      if (text.startsWith("ERROR")) {
        throw new IOException(kind.label + " server: " + text);
      }
      return text;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause());
    } catch (TimeoutException e) {
      line.cancel(true);
      throw new TimeoutException(kind.label + " server did not answer within " + seconds + "s");
    }
  }

  /** Sends {@code command} and returns the number its answer carries ({@code WORD <number>}). */
  long ask(String command, long seconds)
      throws IOException, InterruptedException, TimeoutException {
    send(command);
    String answer = reply(seconds);
    return Long.parseLong(answer.substring(answer.indexOf(' ') + 1).trim());
  }

  /** The server's process CPU time, in nanoseconds. */
  long cpuNanos() throws IOException, InterruptedException, TimeoutException {
    return ask("cpu", 30);
  }

  /**
   * The server's CPU time by thread group, in nanoseconds; {@code process} is the whole process.
   */
  Map<String, Long> threadCpuNanos() throws IOException, InterruptedException, TimeoutException {
    send("threads");
    String answer = reply(30);
    Map<String, Long> groups = new TreeMap<>();
    for (String pair : answer.substring("THREADS ".length()).split(";")) {
      int equals = pair.indexOf('=');
      groups.put(pair.substring(0, equals), Long.parseLong(pair.substring(equals + 1)));
    }
    return groups;
  }

  /** The server's heap in use after full collections, in bytes. */
  long heapAfterGc() throws IOException, InterruptedException, TimeoutException {
    return ask("heap", 60);
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        commands.println("quit");
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      RUNNING.remove(process);
      reader.shutdownNow();
    }
  }
}
