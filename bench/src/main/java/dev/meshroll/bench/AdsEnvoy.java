package dev.meshroll.bench;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * A simulated Envoy on a state-of-the-world ADS stream: asks for the four types at once (the node
 * in the first request only, as Envoy does) and ACKs every response with its version and nonce.
 */
final class AdsEnvoy
    implements Fleet.Envoy, ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> {
  private final Fleet fleet;
  private final int index;
  private final Node node;
  private final Channel channel;
  private ClientCallStreamObserver<DiscoveryRequest> requests;

  AdsEnvoy(Fleet fleet, int index, Node node, Channel channel) {
    this.fleet = fleet;
    this.index = index;
    this.node = node;
    this.channel = channel;
  }

  @Override
  public void start() {
    AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(this);
    for (int type = 0; type < Fleet.TYPES.size(); type++) {
      DiscoveryRequest.Builder request =
          DiscoveryRequest.newBuilder()
              .setTypeUrl(Fleet.TYPES.get(type))
              .addAllResourceNames(fleet.names(type));
      if (type == 0) {
        request.setNode(node);
      }
      send(request.build());
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> requestStream) {
    this.requests = requestStream;
  }

  // Requests go out from the harness's thread (the first four) and from gRPC's (the ACKs).
  private synchronized void send(DiscoveryRequest request) {
    requests.onNext(request);
  }

  @Override
  public void onNext(DiscoveryResponse response) {
    int type = Fleet.TYPES.indexOf(response.getTypeUrl());
    if (type < 0) {
      fleet.failed(index, "a response of unasked type " + response.getTypeUrl());
      return;
    }
    int weight = -1;
    if (type == Fleet.ROUTE_INDEX) {
      for (Any resource : response.getResourcesList()) {
        try {
          RouteConfiguration routes = RouteConfiguration.parseFrom(resource.getValue());
          if (routes.getName().equals(FleetResources.ROUTES)) {
            weight = FleetResources.canaryWeight(routes);
          }
        } catch (InvalidProtocolBufferException e) {
          fleet.failed(index, "an unreadable route configuration: " + e.getMessage());
        }
      }
    }
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(fleet.names(type))
            .build());
    fleet.acked(index, type, weight);
  }

  @Override
  public void onError(Throwable error) {
    fleet.failed(index, error.toString());
  }

  @Override
  public void onCompleted() {
    fleet.failed(index, "the server ended the stream");
  }
}
