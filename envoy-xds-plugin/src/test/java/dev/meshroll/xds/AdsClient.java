package dev.meshroll.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw ADS client for protocol tests: sends exactly the requests a test writes, keeps every
 * response.
 */
final class AdsClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final StreamObserver<DiscoveryRequest> requests;
  private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final Node node;
  private boolean closed;

  AdsClient(int port, String nodeId) {
    this(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build(), nodeId);
  }

  /** A client on a channel of the test's making (TLS, mutual TLS). */
  AdsClient(ManagedChannel channel, String nodeId) {
    this.node = Node.newBuilder().setId(nodeId).setCluster("test").build();
    this.channel = channel;
    this.requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse response) {
                    responses.add(response);
                  }

                  @Override
                  public void onError(Throwable error) {}

                  @Override
                  public void onCompleted() {}
                });
  }

  /** Subscribes to a type, saying which version it already has (empty: none). */
  void subscribe(String type, String version, String... names) {
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(type)
            .setVersionInfo(version)
            .addAllResourceNames(List.of(names))
            .build());
  }

  void ack(DiscoveryResponse response, String... names) {
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(List.of(names))
            .build());
  }

  void nack(DiscoveryResponse response, String previousVersion, String reason, String... names) {
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(previousVersion)
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(List.of(names))
            .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage(reason))
            .build());
  }

  /** The next response, waiting at most 10 s for it. */
  DiscoveryResponse next() throws InterruptedException {
    DiscoveryResponse response = responses.poll(10, TimeUnit.SECONDS);
    if (response == null) {
      throw new AssertionError("no response within 10s");
    }
    return response;
  }

  /** The next response if one comes within {@code millis}; null when none does. */
  DiscoveryResponse nextWithin(long millis) throws InterruptedException {
    return responses.poll(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    requests.onCompleted();
    channel.shutdownNow();
  }
}
