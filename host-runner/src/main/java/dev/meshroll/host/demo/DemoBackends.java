package dev.meshroll.host.demo;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's two versions: real gRPC servers on loopback that answer with their version's name, and
 * count every call they answer into the demo's stats.
 */
final class DemoBackends implements AutoCloseable {
  /** One unary method with strings both ways, so that no generated code is needed. */
  static final MethodDescriptor<String, String> VERSION =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("demo.Version/Get")
          .setRequestMarshaller(new Utf8())
          .setResponseMarshaller(new Utf8())
          .build();

  private final List<Server> servers = new ArrayList<>();
  private final DemoStats stats;

  DemoBackends(DemoStats stats) {
    this.stats = stats;
  }

  /**
   * Starts a backend answering {@code version}, or failing every call when {@code failing}.
   *
   * @return its port
   */
  int start(String version, boolean failing) throws IOException {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                ServerServiceDefinition.builder("demo.Version")
                    .addMethod(
                        VERSION,
                        ServerCalls.asyncUnaryCall(
                            (request, response) -> {
                              stats.count(version, failing);
                              if (failing) {
                                response.onError(
                                    Status.UNAVAILABLE
                                        .withDescription(version + " is broken")
                                        .asRuntimeException());
                              } else {
                                response.onNext(version);
                                response.onCompleted();
                              }
                            }))
                    .build())
            .build()
            .start();
    servers.add(server);
    return server.getPort();
  }

  @Override
  public void close() {
    servers.forEach(Server::shutdownNow);
  }

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
