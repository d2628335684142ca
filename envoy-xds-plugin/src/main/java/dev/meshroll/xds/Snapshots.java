package dev.meshroll.xds;

import com.google.protobuf.UInt32Value;
import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RequestMatch;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.StringMatch;
import dev.meshroll.api.ValidationProblem;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Rollout intents overlaid on base resources. Pure: the routes a rollout manages get weighted
 * clusters; its header and mirror routes are placed ahead of them, in {@code managedRoutes} order;
 * everything else stays as the base has it.
 */
final class Snapshots {
  private Snapshots() {}

  /** The resources to serve, and the rollouts whose intents could not be overlaid, with why. */
  record Overlay(ResourceSet resources, Map<RolloutRef, String> failures) {}

  /** Overlays every intent (in rollout order, so the result does not depend on arrival). */
  static Overlay from(ResourceSet base, Map<RolloutRef, RouteIntent> intents) {
    Map<String, RouteConfiguration> changed = new TreeMap<>();
    Map<RolloutRef, String> failures = new LinkedHashMap<>();
    intents.entrySet().stream()
        .sorted(Comparator.comparing(entry -> entry.getKey().toString()))
        .forEach(
            entry -> {
              try {
                RouteSettings settings = settings(entry.getValue());
                RouteConfiguration current =
                    changed.getOrDefault(
                        settings.routeConfiguration(),
                        base.routes().get(settings.routeConfiguration()));
                changed.put(
                    settings.routeConfiguration(),
                    overlay(current, entry.getValue(), settings, base));
              } catch (RouterException e) {
                failures.put(entry.getKey(), e.getMessage());
              }
            });
    return new Overlay(base.withRoutes(changed), failures);
  }

  static RouteSettings settings(RouteIntent intent) throws RouterException {
    List<ValidationProblem> problems = new ArrayList<>();
    Optional<RouteSettings> settings =
        RouteSettings.read(intent.config(), intent.routing().versions(), problems);
    if (settings.isEmpty() || !problems.isEmpty()) {
      throw new RouterException("xds: " + intent.rollout() + ": " + problems);
    }
    return settings.get();
  }

  /** One intent over one route configuration. */
  static RouteConfiguration overlay(
      RouteConfiguration routes, RouteIntent intent, RouteSettings settings, ResourceSet base)
      throws RouterException {
    if (routes == null) {
      throw new RouterException(
          "xds: RouteConfiguration '"
              + settings.routeConfiguration()
              + "' is not defined (route configurations: "
              + base.routes().keySet()
              + ")");
    }
    int hostIndex = -1;
    for (int i = 0; i < routes.getVirtualHostsCount(); i++) {
      if (routes.getVirtualHosts(i).getName().equals(settings.virtualHost())) {
        hostIndex = i;
      }
    }
    if (hostIndex < 0) {
      throw new RouterException(
          "xds: RouteConfiguration '"
              + routes.getName()
              + "' has no virtual host '"
              + settings.virtualHost()
              + "' (expected one of: "
              + routes.getVirtualHostsList().stream().map(VirtualHost::getName).toList()
              + ")");
    }
    for (Map.Entry<String, Integer> weight : intent.weights().entrySet()) {
      String cluster = settings.versions().get(weight.getKey());
      if (weight.getValue() > 0 && !base.clusters().containsKey(cluster)) {
        throw new RouterException(
            "xds: cluster '"
                + cluster
                + "' of version '"
                + weight.getKey()
                + "' is not defined (clusters: "
                + base.clusters().keySet()
                + ")");
      }
    }
    VirtualHost host = routes.getVirtualHosts(hostIndex);
    List<String> names = managedNames(host, settings, routes.getName());
    List<Route> result = new ArrayList<>();
    boolean placed = false;
    for (Route route : host.getRoutesList()) {
      if (!names.contains(route.getName())) {
        result.add(route);
        continue;
      }
      RouteAction weighted = weighted(route.getRoute(), intent, settings);
      if (!placed) {
        result.addAll(managedRoutes(route, weighted, intent, settings));
        placed = true;
      }
      result.add(route.toBuilder().setRoute(weighted).build());
    }
    VirtualHost overlaid = host.toBuilder().clearRoutes().addAllRoutes(result).build();
    return routes.toBuilder().setVirtualHosts(hostIndex, overlaid).build();
  }

  private static List<String> managedNames(
      VirtualHost host, RouteSettings settings, String routesName) throws RouterException {
    List<String> present = host.getRoutesList().stream().map(Route::getName).toList();
    if (settings.routes().isEmpty()) {
      if (host.getRoutesCount() != 1) {
        throw new RouterException(
            "xds: virtual host '"
                + host.getName()
                + "' of RouteConfiguration '"
                + routesName
                + "' has "
                + host.getRoutesCount()
                + " routes: name the ones to manage in 'routes' (expected some of: "
                + present
                + ")");
      }
      return present;
    }
    for (String name : settings.routes()) {
      if (!present.contains(name)) {
        throw new RouterException(
            "xds: virtual host '"
                + host.getName()
                + "' of RouteConfiguration '"
                + routesName
                + "' has no route '"
                + name
                + "' (expected one of: "
                + present
                + ")");
      }
    }
    return settings.routes();
  }

  /** The route's action, sending the intent's weights to each version's cluster. */
  private static RouteAction weighted(
      RouteAction action, RouteIntent intent, RouteSettings settings) {
    Map<String, Integer> byCluster = new LinkedHashMap<>();
    intent
        .weights()
        .forEach(
            (role, weight) -> {
              if (weight > 0) {
                byCluster.merge(settings.versions().get(role), weight, Integer::sum);
              }
            });
    WeightedCluster.Builder clusters = WeightedCluster.newBuilder();
    byCluster.forEach(
        (cluster, weight) ->
            clusters.addClusters(
                WeightedCluster.ClusterWeight.newBuilder()
                    .setName(cluster)
                    .setWeight(UInt32Value.of(weight))));
    return action.toBuilder()
        .clearCluster()
        .clearClusterHeader()
        .setWeightedClusters(clusters)
        .build();
  }

  /**
   * The header and mirror routes in force, in managedRoutes order, modelled on {@code template}.
   */
  private static List<Route> managedRoutes(
      Route template, RouteAction weighted, RouteIntent intent, RouteSettings settings)
      throws RouterException {
    List<Route> routes = new ArrayList<>();
    for (String name : intent.routing().managedRoutes()) {
      for (HeaderRoute header : intent.headerRoutes()) {
        if (header.name().equals(name)) {
          for (HeaderMatch match : header.match()) {
            RouteMatch.Builder routeMatch =
                template.getMatch().toBuilder()
                    .addHeaders(header(match.headerName(), match.headerValue()));
            RouteAction toVersion =
                template.getRoute().toBuilder()
                    .clearWeightedClusters()
                    .clearClusterHeader()
                    .setCluster(settings.versions().get(header.version()))
                    .build();
            routes.add(
                re2Checked(
                    "header",
                    template.toBuilder()
                        .setName(name)
                        .setMatch(routeMatch)
                        .setRoute(toVersion)
                        .build(),
                    intent));
          }
        }
      }
      for (MirrorRoute mirror : intent.mirrorRoutes()) {
        if (mirror.name().equals(name)) {
          for (RequestMatch match : mirror.match()) {
            RouteAction mirrored =
                weighted.toBuilder()
                    .addRequestMirrorPolicies(
                        RouteAction.RequestMirrorPolicy.newBuilder()
                            .setCluster(settings.versions().get(mirror.version()))
                            .setRuntimeFraction(
                                RuntimeFractionalPercent.newBuilder()
                                    .setDefaultValue(
                                        FractionalPercent.newBuilder()
                                            .setNumerator(mirror.percentage())
                                            .setDenominator(
                                                FractionalPercent.DenominatorType.HUNDRED))))
                    .build();
            routes.add(
                re2Checked(
                    "mirror",
                    template.toBuilder()
                        .setName(name)
                        .setMatch(requestMatch(template.getMatch(), match))
                        .setRoute(mirrored)
                        .build(),
                    intent));
          }
        }
      }
    }
    return routes;
  }

  /**
   * A managed route whose regexes RE2 compiles, or why not: an intent that did not come through the
   * host's spec parser could otherwise put a regex before Envoy and gRPC that they refuse.
   */
  private static Route re2Checked(String kind, Route route, RouteIntent intent)
      throws RouterException {
    List<String> problems = Regexes.problems(route, Resources.TYPES);
    if (!problems.isEmpty()) {
      throw new RouterException(
          "xds: "
              + intent.rollout()
              + ": "
              + kind
              + " route '"
              + route.getName()
              + "': "
              + String.join("; ", problems));
    }
    return route;
  }

  private static RouteMatch requestMatch(RouteMatch template, RequestMatch match) {
    RouteMatch.Builder result = template.toBuilder();
    match
        .path()
        .ifPresent(
            path -> {
              result.clearPrefix().clearPath().clearSafeRegex().clearPathSeparatedPrefix();
              switch (path.kind()) {
                case EXACT -> result.setPath(path.value());
                case PREFIX -> result.setPrefix(path.value());
                case REGEX -> result.setSafeRegex(RegexMatcher.newBuilder().setRegex(path.value()));
                default -> throw new AssertionError(path.kind());
              }
            });
    match.method().ifPresent(method -> result.addHeaders(header(":method", method)));
    match.headers().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(header -> result.addHeaders(header(header.getKey(), header.getValue())));
    return result.build();
  }

  private static HeaderMatcher header(String name, StringMatch value) {
    return HeaderMatcher.newBuilder().setName(name).setStringMatch(stringMatcher(value)).build();
  }

  private static StringMatcher stringMatcher(StringMatch match) {
    return switch (match.kind()) {
      case EXACT -> StringMatcher.newBuilder().setExact(match.value()).build();
      case PREFIX -> StringMatcher.newBuilder().setPrefix(match.value()).build();
      case REGEX ->
          StringMatcher.newBuilder()
              .setSafeRegex(RegexMatcher.newBuilder().setRegex(match.value()))
              .build();
    };
  }
}
