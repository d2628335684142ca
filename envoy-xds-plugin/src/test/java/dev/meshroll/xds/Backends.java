package dev.meshroll.xds;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
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

/** Real gRPC backends on loopback, each answering its version; e2e scenarios use them too. */
public final class Backends implements AutoCloseable {
  /** One unary method, strings both ways, so no generated code is needed. */
  public static final MethodDescriptor<String, String> VERSION =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("demo.Version/Get")
          .setRequestMarshaller(new Utf8())
          .setResponseMarshaller(new Utf8())
          .build();

  private final List<Server> servers = new ArrayList<>();

  /** Starts one backend per name; returns their ports in order. */
  public List<Integer> start(String... versions) throws IOException {
    List<Integer> ports = new ArrayList<>();
    for (String version : versions) {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(
                  ServerServiceDefinition.builder("demo.Version")
                      .addMethod(
                          VERSION,
                          ServerCalls.asyncUnaryCall(
                              (request, response) -> {
                                response.onNext(version);
                                response.onCompleted();
                              }))
                      .build())
              .build()
              .start();
      servers.add(server);
      ports.add(server.getPort());
    }
    return ports;
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
