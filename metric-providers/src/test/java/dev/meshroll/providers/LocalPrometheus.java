package dev.meshroll.providers;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A Prometheus server of a test's own: Debian's {@code prometheus} binary on 127.0.0.1 and a free
 * port, with a generated {@code prometheus.yml} that scrapes the given targets every second, and
 * its storage and log ({@code prometheus.log}) in the given folder.
 *
 * <p>A target's first sample is queryable only about 5 s after the start (Prometheus applies new
 * targets in 5 s rounds), so tests poll for data and start one server per test class.
 *
 * <pre>{@code
 * try (LocalPrometheus prometheus = LocalPrometheus.start(tempDir, List.of(target.hostPort()))) {
 *   URI address = prometheus.address(); // http://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class LocalPrometheus implements AutoCloseable {
  /** How long a start may take, up to {@code /-/ready}; it usually takes ~0.1 s. */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final int LOG_TAIL_LINES = 20;

  private final Process process;
  private final URI address;
  private final Path log;
  private final Thread killOnExit;

  private LocalPrometheus(Process process, URI address, Path log) {
    this.process = process;
    this.address = address;
    this.log = log;
    // A test JVM that ends without close() must not leave a Prometheus behind.
    this.killOnExit = new Thread(process::destroyForcibly, "stop prometheus " + address);
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /**
   * Starts Prometheus and waits until it is ready.
   *
   * @param folder its folder: {@code prometheus.yml}, {@code prometheus.log} and the storage
   * @param targets what it scrapes every second, as {@code host:port}; {@code /metrics} of each
   * @throws IllegalStateException when the binary is missing, or Prometheus is not ready within
   *     {@link #READY_TIMEOUT} (the message ends with the log's tail)
   */
  public static LocalPrometheus start(Path folder, List<String> targets) throws IOException {
    Path binary =
        binary()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no prometheus binary on the PATH: install Debian's prometheus package"
                            + " (apt-get install -y prometheus)"));
    Files.createDirectories(folder);
    Path config = Files.writeString(folder.resolve("prometheus.yml"), config(targets));
    Path log = folder.resolve("prometheus.log");
    int port = freePort();
    Process process =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + folder.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    LocalPrometheus prometheus =
        new LocalPrometheus(process, URI.create("http://127.0.0.1:" + port), log);
    try {
      prometheus.awaitReady();
    } catch (RuntimeException e) {
      prometheus.close();
      throw e;
    }
    return prometheus;
  }

  /** Where its HTTP API listens: {@code http://127.0.0.1:PORT}. */
  public URI address() {
    return address;
  }

  /** The last lines of its log, for failure messages. */
  public String logTail() {
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      List<String> all = lines.collect(Collectors.toList());
      return String.join("\n", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** Stops Prometheus (SIGTERM, then SIGKILL after 10 s) and waits until it has exited. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().removeShutdownHook(killOnExit);
  }

  private void awaitReady() {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest ready =
        HttpRequest.newBuilder(address.resolve("/-/ready")).timeout(Duration.ofSeconds(1)).build();
    try {
      await()
          .atMost(READY_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptionsInstanceOf(IOException.class)
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "prometheus exited with code "
                          + process.exitValue()
                          + "; its log:\n"
                          + logTail());
                }
                return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode()
                    == 200;
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "prometheus at "
              + address
              + " not ready within "
              + READY_TIMEOUT
              + "; its log:\n"
              + logTail(),
          e);
    }
  }

  private static String config(List<String> targets) {
    String quoted =
        targets.stream()
            .map(target -> "'" + target.replace("'", "''") + "'")
            .collect(Collectors.joining(", "));
    return String.join(
        "\n",
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: test",
        "    static_configs:",
        "      - targets: [" + quoted + "]",
        "");
  }

  private static Optional<Path> binary() {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .map(folder -> Path.of(folder, "prometheus"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** A port free now; Prometheus takes a port number, not an open socket. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
