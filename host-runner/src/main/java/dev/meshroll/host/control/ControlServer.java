package dev.meshroll.host.control;

import dev.meshroll.host.run.Host;
import dev.meshroll.host.spec.HostConfig;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The control API of a host: gRPC on {@code listen}, JSON, metrics and health on {@code
 * httpListen}.
 */
public final class ControlServer implements AutoCloseable {
  private final Server grpc;
  private final HttpApi http;

  private ControlServer(Server grpc, HttpApi http) {
    this.grpc = grpc;
    this.http = http;
  }

  public static ControlServer start(Host host) throws IOException {
    HostConfig config = host.config();
    ControlService control = new ControlService(host);
    Authorization authorization = new Authorization(config.token(), config.tokens());
    Server grpc =
        NettyServerBuilder.forAddress(address(config.listen()))
            .addService(ServerInterceptors.intercept(control, authorization))
            .build();
    try {
      grpc.start();
    } catch (IOException e) {
      throw new IOException(
          "cannot listen on " + config.listen() + " for the control API: " + e.getMessage(), e);
    }
    try {
      return new ControlServer(
          grpc, new HttpApi(address(config.httpListen()), control, authorization, host.metrics()));
    } catch (IOException e) {
      grpc.shutdownNow();
      throw new IOException(
          "cannot listen on " + config.httpListen() + " for the HTTP API: " + e.getMessage(), e);
    }
  }

  private static InetSocketAddress address(HostConfig.Address address) {
    return new InetSocketAddress(address.host(), address.port());
  }

  /** The gRPC port actually bound (differs from the config's when it asked for port 0). */
  public int grpcPort() {
    return grpc.getPort();
  }

  public int httpPort() {
    return http.port();
  }

  @Override
  public void close() {
    http.close();
    grpc.shutdownNow();
    try {
      grpc.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
