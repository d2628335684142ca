package dev.meshroll.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * A simulated Envoy on an incremental (delta) ADS stream: subscribes to the four types at once
 * (clusters and listeners as wildcards, endpoints and routes by name) and ACKs every response by
 * its nonce.
 */
final class DeltaEnvoy
    implements Fleet.Envoy, ClientResponseObserver<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  private final Fleet fleet;
  private final int index;
  private final Node node;
  private final Channel channel;
  private ClientCallStreamObserver<DeltaDiscoveryRequest> requests;

  DeltaEnvoy(Fleet fleet, int index, Node node, Channel channel) {
    this.fleet = fleet;
    this.index = index;
    this.node = node;
    this.channel = channel;
  }

  @Override
  public void start() {
    AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(this);
    for (int type = 0; type < Fleet.TYPES.size(); type++) {
      DeltaDiscoveryRequest.Builder request =
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(Fleet.TYPES.get(type))
              .addAllResourceNamesSubscribe(fleet.names(type));
      if (type == 0) {
        request.setNode(node);
      }
      send(request.build());
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<DeltaDiscoveryRequest> requestStream) {
    this.requests = requestStream;
  }

  // Requests go out from the harness's thread (the first four) and from gRPC's (the ACKs).
  private synchronized void send(DeltaDiscoveryRequest request) {
    requests.onNext(request);
  }

  @Override
  public void onNext(DeltaDiscoveryResponse response) {
    int type = Fleet.TYPES.indexOf(response.getTypeUrl());
    if (type < 0) {
      fleet.failed(index, "a response of unasked type " + response.getTypeUrl());
      return;
    }
    int weight = -1;
    if (type == Fleet.ROUTE_INDEX) {
      for (Resource resource : response.getResourcesList()) {
        if (resource.getName().equals(FleetResources.ROUTES)) {
          try {
            weight =
                FleetResources.canaryWeight(
                    RouteConfiguration.parseFrom(resource.getResource().getValue()));
          } catch (InvalidProtocolBufferException e) {
            fleet.failed(index, "an unreadable route configuration: " + e.getMessage());
          }
        }
      }
    }
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
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
