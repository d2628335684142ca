package dev.meshroll.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A proxyless gRPC client of @grpc/grpc-js-xds (Node) calling {@code xds:///reviews}, as its own
 * process ({@code src/test/node/xds-client.js}) bootstrapped at an xDS server on loopback.
 */
final class NodeXdsClient implements AutoCloseable {
  private static final Path SCRIPT = Path.of("src/test/node/xds-client.js");
  // Each call has a 5 s deadline; a count that takes longer than this has hung.
  private static final Duration ANSWER = Duration.ofSeconds(120);

  /** The answers to one {@code count}: calls per version, failed calls and the first failure. */
  record Counts(Map<String, Integer> counts, int errors, String firstError) {
    Counts {
      counts = Collections.unmodifiableMap(new TreeMap<>(counts)); // sorted, for messages
    }

    int of(String version) {
      return counts.getOrDefault(version, 0);
    }

    /** The share of all calls, failed ones included, that {@code version} answered. */
    double percent(String version) {
      int total = counts.values().stream().mapToInt(Integer::intValue).sum() + errors;
      return total == 0 ? 0 : 100.0 * of(version) / total;
    }
  }

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final Path log;

  /** Starts the client as node {@code nodeId}; its stderr goes to {@code log}. */
  NodeXdsClient(int xdsPort, String nodeId, Path log) throws IOException {
    this.log = log;
    ProcessBuilder builder =
        new ProcessBuilder("node", SCRIPT.getFileName().toString())
            .directory(SCRIPT.getParent().toFile())
            .redirectError(log.toFile());
    builder
        .environment()
        .put(
            "GRPC_XDS_BOOTSTRAP_CONFIG",
            """
            {"xds_servers": [{"server_uri": "127.0.0.1:%d", "channel_creds": [{"type": "insecure"}],
                              "server_features": ["xds_v3"]}],
             "node": {"id": "%s", "cluster": "e2e", "locality": {"zone": "local"}}}
            """
                .formatted(xdsPort, nodeId));
    process = builder.start();
    commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    // A reader of its own, so that every wait for an answer can be bounded.
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  answers.add(line);
                }
              } catch (IOException e) {
                // the process ended: count() says so when it waits in vain
              }
            },
            "node-xds-client-" + nodeId);
    reader.setDaemon(true);
    reader.start();
  }

  /** Makes {@code calls} calls one after another and counts the answers. */
  Counts count(int calls) throws IOException, InterruptedException {
    return send("count " + calls);
  }

  /** As {@link #count(int)}, each call with the header {@code name: value}. */
  Counts count(int calls, String name, String value) throws IOException, InterruptedException {
    return send("count " + calls + " " + name + "=" + value);
  }

  private Counts send(String command) throws IOException, InterruptedException {
    commands.write(command + "\n");
    commands.flush();
    String answer = answers.poll(ANSWER.toMillis(), TimeUnit.MILLISECONDS);
    if (answer == null) {
      throw new IllegalStateException(
          "no answer to '"
              + command
              + "' within "
              + ANSWER.toSeconds()
              + "s (alive: "
              + process.isAlive()
              + "); stderr: "
              + Files.readString(log));
    }
    return new ObjectMapper().readValue(answer, Counts.class);
  }

  @Override
  public void close() {
    try {
      commands.close(); // the script exits when its stdin closes
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
