package dev.meshroll.host.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.engine.Command;
import dev.meshroll.host.run.HostMetrics;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control API's messages as JSON over HTTP (protobuf's JSON mapping, one schema with gRPC),
 * plus {@code /metrics} in Prometheus text format and {@code /healthz}.
 *
 * <pre>
 * GET  /v1/rollouts                        RolloutList
 * GET  /v1/rollouts/NAMESPACE/NAME         Rollout
 * POST /v1/rollouts/NAMESPACE/NAME:promote Rollout   (?full=true for promote-full)
 * POST /v1/rollouts/NAMESPACE/NAME:abort | :retry | :pause | :resume
 * GET  /v1/routers/ROUTER/status          RouterStatusResponse (e.g. the xds router's nodes)
 * </pre>
 */
final class HttpApi implements AutoCloseable {
  private static final Pattern ROLLOUT =
      Pattern.compile("/v1/rollouts/([a-z0-9-]+)/([a-z0-9-]+)(?::([a-z]+))?");
  private static final Pattern ROUTER_STATUS = Pattern.compile("/v1/routers/([a-z0-9-]+)/status");
  private static final Map<String, Command> COMMANDS =
      Map.of(
          "promote", Command.PROMOTE,
          "abort", Command.ABORT,
          "retry", Command.RETRY,
          "pause", Command.PAUSE,
          "resume", Command.RESUME);

  private static final ObjectMapper ERRORS = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(2);
  private final ControlService control;
  private final Authorization authorization;
  private final HostMetrics metrics;

  HttpApi(
      InetSocketAddress address,
      ControlService control,
      Authorization authorization,
      HostMetrics metrics)
      throws IOException {
    this.control = control;
    this.authorization = authorization;
    this.metrics = metrics;
    this.server = HttpServer.create(address, 0);
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange, exchange.getRequestURI().getPath(), exchange.getRequestMethod());
      } catch (StatusRuntimeException e) {
        error(exchange, httpStatus(e), e.getStatus().getDescription());
      }
    }
  }

  private void route(HttpExchange exchange, String path, String method) throws IOException {
    if (path.equals("/healthz")) {
      send(exchange, 200, "text/plain", "ok\n");
    } else if (path.equals("/metrics")) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(body, metrics.registry().scrape());
      send(
          exchange,
          200,
          PrometheusTextFormatWriter.CONTENT_TYPE,
          body.toString(StandardCharsets.UTF_8));
    } else if (path.equals("/v1/rollouts") && method.equals("GET")) {
      json(exchange, 200, control.list());
    } else if (ROUTER_STATUS.matcher(path).matches() && method.equals("GET")) {
      Matcher router = ROUTER_STATUS.matcher(path);
      router.matches();
      json(exchange, 200, control.routerStatus(router.group(1)));
    } else {
      rollout(exchange, path, method);
    }
  }

  private void rollout(HttpExchange exchange, String path, String method) throws IOException {
    Matcher matcher = ROLLOUT.matcher(path);
    if (!matcher.matches()) {
      error(exchange, 404, "no such resource: " + path);
      return;
    }
    RolloutRef ref = new RolloutRef(matcher.group(1), matcher.group(2));
    String verb = matcher.group(3);
    if (verb == null && method.equals("GET")) {
      json(exchange, 200, control.get(ref));
    } else if (verb != null && COMMANDS.containsKey(verb) && method.equals("POST")) {
      Optional<String> caller =
          authorization.caller(exchange.getRequestHeaders().getFirst("Authorization"));
      if (caller.isEmpty()) {
        error(exchange, 401, verb + " needs the host's token: send Authorization: Bearer TOKEN");
        return;
      }
      boolean full = "full=true".equals(exchange.getRequestURI().getQuery());
      Command command = full && verb.equals("promote") ? Command.PROMOTE_FULL : COMMANDS.get(verb);
      json(exchange, 200, control.command(ref, command, caller.get()));
    } else {
      error(exchange, 405, method + " " + path + " is not supported");
    }
  }

  private static int httpStatus(StatusRuntimeException e) {
    return switch (e.getStatus().getCode()) {
      case NOT_FOUND -> 404;
      case FAILED_PRECONDITION -> 409;
      case UNAUTHENTICATED -> 401;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }

  private static void json(HttpExchange exchange, int status, MessageOrBuilder message)
      throws IOException {
    try {
      send(
          exchange,
          status,
          "application/json",
          JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(message) + "\n");
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the control API's messages always print as JSON", e);
    }
  }

  private static void error(HttpExchange exchange, int status, String message) throws IOException {
    String body = ERRORS.writeValueAsString(Map.of("error", message == null ? "" : message));
    send(exchange, status, "application/json", body + "\n");
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
