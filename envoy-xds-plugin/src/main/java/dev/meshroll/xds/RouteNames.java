package dev.meshroll.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;

/** Which route configuration a listener's HTTP connection manager fetches by RDS. */
final class RouteNames {
  private static final String HCM_TYPE =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

  private RouteNames() {}

  /** The RDS route configuration name of a listener; empty when it uses none. */
  static String ofListener(Listener listener) {
    if (listener.hasApiListener()
        && listener.getApiListener().getApiListener().getTypeUrl().equals(HCM_TYPE)) {
      return ofManager(listener.getApiListener().getApiListener());
    }
    for (FilterChain chain : listener.getFilterChainsList()) {
      for (Filter filter : chain.getFiltersList()) {
        if (filter.hasTypedConfig() && filter.getTypedConfig().getTypeUrl().equals(HCM_TYPE)) {
          String name = ofManager(filter.getTypedConfig());
          if (!name.isEmpty()) {
            return name;
          }
        }
      }
    }
    return "";
  }

  private static String ofManager(com.google.protobuf.Any config) {
    try {
      HttpConnectionManager manager = config.unpack(HttpConnectionManager.class);
      return manager.hasRds() ? manager.getRds().getRouteConfigName() : "";
    } catch (InvalidProtocolBufferException e) {
      return "";
    }
  }
}
