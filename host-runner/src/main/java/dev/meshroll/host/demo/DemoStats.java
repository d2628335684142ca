package dev.meshroll.host.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo backends' request and error counts, served on 127.0.0.1: {@code /stats/VERSION} as JSON
 * over the last few seconds (what the demo's analysis reads with the {@code web} provider), and
 * {@code /metrics} as Prometheus counters, for anyone who points a Prometheus at the demo.
 */
final class DemoStats implements AutoCloseable {
  /** How many seconds {@code /stats} looks back: recent enough to catch a bad canary at once. */
  static final int WINDOW_SECONDS = 3;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;
  private final Map<String, Counts> versions = new ConcurrentHashMap<>();
  private final HttpServer server;

  DemoStats(Clock clock) throws IOException {
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/stats/", this::stats);
    server.createContext("/metrics", this::metrics);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Counts one call a backend answered. */
  void count(String version, boolean failed) {
    versions.computeIfAbsent(version, key -> new Counts()).add(clock.millis() / 1000, failed);
  }

  private void stats(HttpExchange exchange) throws IOException {
    String version = exchange.getRequestURI().getPath().substring("/stats/".length());
    Counts counts = versions.get(version);
    long[] recent = counts == null ? new long[2] : counts.recent(clock.millis() / 1000);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", version);
    body.put("windowSeconds", WINDOW_SECONDS);
    body.put("requests", recent[0]);
    body.put("errors", recent[1]);
    // No requests, no ratio: null, which the analysis counts by its noData policy.
    body.put("errorRatio", recent[0] == 0 ? null : (double) recent[1] / recent[0]);
    send(exchange, "application/json", JSON.writeValueAsString(body));
  }

  private void metrics(HttpExchange exchange) throws IOException {
    StringBuilder text = new StringBuilder();
    text.append("# TYPE demo_requests_total counter\n");
    new TreeMap<>(versions)
        .forEach(
            (version, counts) ->
                text.append(
                    "demo_requests_total{version=\"%s\"} %d\n"
                        .formatted(version, counts.requests())));
    text.append("# TYPE demo_errors_total counter\n");
    new TreeMap<>(versions)
        .forEach(
            (version, counts) ->
                text.append(
                    "demo_errors_total{version=\"%s\"} %d\n".formatted(version, counts.errors())));
    send(exchange, "text/plain; version=0.0.4", text.toString());
  }

  private static void send(HttpExchange exchange, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** One version's totals, and per-second buckets for the recent window. */
  private static final class Counts {
    private final long[] second = new long[WINDOW_SECONDS + 1];
    private final long[] requests = new long[WINDOW_SECONDS + 1];
    private final long[] errors = new long[WINDOW_SECONDS + 1];
    private long totalRequests;
    private long totalErrors;

    synchronized void add(long now, boolean failed) {
      int bucket = (int) (now % second.length);
      if (second[bucket] != now) {
        second[bucket] = now;
        requests[bucket] = 0;
        errors[bucket] = 0;
      }
      requests[bucket]++;
      totalRequests++;
      if (failed) {
        errors[bucket]++;
        totalErrors++;
      }
    }

    /** Requests and errors of the last {@link #WINDOW_SECONDS} whole seconds before {@code now}. */
    synchronized long[] recent(long now) {
      long[] sums = new long[2];
      for (int i = 0; i < second.length; i++) {
        if (second[i] < now && second[i] >= now - WINDOW_SECONDS) {
          sums[0] += requests[i];
          sums[1] += errors[i];
        }
      }
      return sums;
    }

    synchronized long requests() {
      return totalRequests;
    }

    synchronized long errors() {
      return totalErrors;
    }
  }
}
