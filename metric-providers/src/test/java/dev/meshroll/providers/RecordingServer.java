package dev.meshroll.providers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in HTTP server on 127.0.0.1: answers every request with the reply the test set (or holds
 * it until closed, to play a server that stalls) and keeps the requests it got.
 */
final class RecordingServer implements AutoCloseable {
  /** One request as the server received it. */
  record Request(
      String method, String pathAndQuery, Map<String, List<String>> headers, String body) {
    /** The values of one header, comma-separated; null when it was not sent. */
    String header(String name) {
      List<String> values = headers.get(name);
      return values == null ? null : String.join(",", values);
    }
  }

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  // Written by the test thread, read by the handlers: volatile is enough for one value.
  private volatile Reply reply = new Reply(200, "{}", false);

  private record Reply(int status, String body, boolean stall) {}

  private RecordingServer(HttpServer server) {
    this.server = server;
  }

  static RecordingServer start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    RecordingServer recording = new RecordingServer(server);
    server.createContext("/", recording::handle);
    server.setExecutor(recording.handlers);
    server.start();
    return recording;
  }

  /** The URL of {@code path} on this server. */
  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  void reply(int status, String body) {
    reply = new Reply(status, body, false);
  }

  /** Holds every request without answering until the server is closed. */
  void stall() {
    reply = new Reply(200, "{}", true);
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body;
    try (InputStream in = exchange.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            headers(exchange),
            body));
    Reply current = reply;
    if (current.stall()) {
      try {
        closed.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] page = current.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(current.status(), page.length == 0 ? -1 : page.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(page);
    }
  }

  /** Header names compare ignoring case, as in HTTP. */
  private static Map<String, List<String>> headers(HttpExchange exchange) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(exchange.getRequestHeaders());
    return Collections.unmodifiableMap(headers);
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    handlers.shutdownNow();
  }
}
