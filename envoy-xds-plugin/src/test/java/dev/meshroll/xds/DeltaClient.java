package dev.meshroll.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A raw incremental (delta) ADS client: sends exactly the requests a test writes. */
final class DeltaClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final StreamObserver<DeltaDiscoveryRequest> requests;
  private final BlockingQueue<DeltaDiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final Node node;

  DeltaClient(int port, String nodeId) {
    this.node = Node.newBuilder().setId(nodeId).setCluster("test").build();
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    this.requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .deltaAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DeltaDiscoveryResponse response) {
                    responses.add(response);
                  }

                  @Override
                  public void onError(Throwable error) {}

                  @Override
                  public void onCompleted() {}
                });
  }

  /** The first request of a type: what to subscribe to, and the versions already held. */
  void subscribe(String type, Map<String, String> held, String... names) {
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(type)
            .addAllResourceNamesSubscribe(List.of(names))
            .putAllInitialResourceVersions(held)
            .build());
  }

  void change(String type, List<String> subscribe, List<String> unsubscribe) {
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type)
            .addAllResourceNamesSubscribe(subscribe)
            .addAllResourceNamesUnsubscribe(unsubscribe)
            .build());
  }

  void ack(DeltaDiscoveryResponse response) {
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
            .build());
  }

  void nack(DeltaDiscoveryResponse response, String reason) {
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
            .setErrorDetail(com.google.rpc.Status.newBuilder().setCode(3).setMessage(reason))
            .build());
  }

  DeltaDiscoveryResponse next() throws InterruptedException {
    DeltaDiscoveryResponse response = responses.poll(10, TimeUnit.SECONDS);
    if (response == null) {
      throw new AssertionError("no response within 10s");
    }
    return response;
  }

  DeltaDiscoveryResponse nextWithin(long millis) throws InterruptedException {
    return responses.poll(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
