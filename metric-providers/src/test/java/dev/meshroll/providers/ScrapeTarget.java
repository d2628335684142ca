package dev.meshroll.providers;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tiny {@code /metrics} endpoint on 127.0.0.1 for {@link LocalPrometheus} to scrape: the series
 * the test sets, in Prometheus' text format. Series are written as in that format, e.g. {@code
 * requests_total{service="reviews",code="200"}}; they carry no {@code # TYPE} line, so Prometheus
 * takes them as untyped, which {@code rate()} accepts like counters.
 *
 * <pre>{@code
 * try (ScrapeTarget target = ScrapeTarget.start()) {
 *   target.set("requests_total{code=\"200\"}", 0);
 *   target.add(Map.of("requests_total{code=\"200\"}", 9, "requests_total{code=\"500\"}", 1));
 *   LocalPrometheus.start(folder, List.of(target.hostPort()));
 * }
 * }</pre>
 */
public final class ScrapeTarget implements AutoCloseable {
  private final HttpServer server;

  // Guarded by this: one monitor for updates and scrapes, so that a scrape sees all of an add().
  private final Map<String, Double> series = new TreeMap<>();

  private ScrapeTarget(HttpServer server) {
    this.server = server;
  }

  /** Starts serving {@code /metrics} on 127.0.0.1 and a free port, with no series yet. */
  public static ScrapeTarget start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ScrapeTarget target = new ScrapeTarget(server);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] page = target.exposition().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, page.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(page);
          }
        });
    server.start();
    return target;
  }

  /** Where Prometheus finds it: {@code 127.0.0.1:PORT}, as a scrape config's target. */
  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Sets one series, e.g. a gauge. */
  public synchronized void set(String series, double value) {
    this.series.put(series, value);
  }

  /** Adds to several series at once (a missing one starts at 0): no scrape sees half of it. */
  public synchronized void add(Map<String, ? extends Number> increments) {
    increments.forEach((name, delta) -> series.merge(name, delta.doubleValue(), Double::sum));
  }

  private synchronized String exposition() {
    StringBuilder page = new StringBuilder();
    series.forEach((name, value) -> page.append(name).append(' ').append(value).append('\n'));
    return page.toString();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
