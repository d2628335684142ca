package dev.meshroll.host.cli;

import dev.meshroll.host.spec.HostConfig;
import dev.meshroll.proto.v1.RolloutsGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** How a client command reaches a host: {@code --host} and {@code --token}, or their variables. */
final class HostOptions {
  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = "${env:MESHROLL_HOST:-127.0.0.1:7070}",
      description = "The host's control API (default: $MESHROLL_HOST or ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:MESHROLL_TOKEN}",
      description =
          "The bearer token for steering commands: the host's token, or one of its tokens, which"
              + " names you in the rollout's history (default: $MESHROLL_TOKEN).")
  String token;

  /** A channel to the host; close it when done. */
  ManagedChannel channel() {
    HostConfig.Address address = HostConfig.Address.parse(host);
    return NettyChannelBuilder.forAddress(address.host(), address.port()).usePlaintext().build();
  }

  RolloutsGrpc.RolloutsBlockingStub blocking(ManagedChannel channel) {
    return withToken(RolloutsGrpc.newBlockingStub(channel));
  }

  RolloutsGrpc.RolloutsStub async(ManagedChannel channel) {
    return withToken(RolloutsGrpc.newStub(channel));
  }

  private <S extends io.grpc.stub.AbstractStub<S>> S withToken(S stub) {
    if (token == null || token.isEmpty()) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** What to tell the user about a failed call: what happened and what to do. */
  String explain(StatusRuntimeException e) {
    return switch (e.getStatus().getCode()) {
      case UNAVAILABLE ->
          "no host at " + host + ": start one with `meshroll run`, or name it with --host";
      case DEADLINE_EXCEEDED -> "the host at " + host + " did not answer in time";
      default ->
          e.getStatus().getDescription() == null
              ? e.getStatus().getCode().toString()
              : e.getStatus().getDescription();
    };
  }

  static void close(ManagedChannel channel) {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
