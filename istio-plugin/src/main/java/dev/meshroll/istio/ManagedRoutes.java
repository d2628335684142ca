package dev.meshroll.istio;

import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.MirrorRoute;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header and mirror routes a rollout adds on top of a VirtualService's routes. Pure.
 *
 * <p>Each is derived from the base route: it matches the base route's conditions AND its own (on
 * top of every route, it must not catch other routes' traffic), and is served with the base route's
 * policies (timeouts, retries, headers, ...). A header route sends everything to one version; a
 * mirror route serves as the base route does and copies to one version.
 */
final class ManagedRoutes {
  private static final List<String> MIRROR_FIELDS =
      List.of("mirror", "mirrors", "mirrorPercentage", "mirror_percent");

  private ManagedRoutes() {}

  /**
   * The intent's header and mirror routes, in {@code managedRoutes} order, to stand above {@code
   * base} (the first configured HTTP route, already split).
   *
   * @param where how messages name the base route, e.g. {@code HTTP route 'primary'}
   * @throws IllegalArgumentException when a managed route cannot be confined to the base route's
   *     matches
   */
  static List<Map<String, Object>> above(
      Map<String, Object> base, String where, RouteIntent intent, IstioConfig config) {
    String namespace = intent.routing().rollout().namespace();
    Map<String, Map<String, Object>> byName = new HashMap<>();
    for (HeaderRoute header : intent.headerRoutes()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("destination", destinationOf(header.version(), base, config, namespace));
      entry.put("weight", 100);
      List<Object> route = new ArrayList<>();
      route.add(entry);
      Map<String, Object> managed =
          managedRoute(
              header.name(),
              within(
                  base,
                  where,
                  "header route '" + header.name() + "'",
                  Matches.forHeaders(header.match())),
              route);
      base.forEach((key, value) -> managed.putIfAbsent(key, Trees.copy(value)));
      byName.put(header.name(), managed);
    }
    for (MirrorRoute mirror : intent.mirrorRoutes()) {
      Map<String, Object> managed =
          managedRoute(
              mirror.name(),
              within(
                  base,
                  where,
                  "mirror route '" + mirror.name() + "'",
                  Matches.forRequests(mirror.match())),
              Trees.copy(base.get("route")));
      base.forEach(
          (key, value) -> {
            if (!MIRROR_FIELDS.contains(key)) {
              managed.putIfAbsent(key, Trees.copy(value));
            }
          });
      Map<String, Object> destination = destinationOf(mirror.version(), base, config, namespace);
      mirror(managed, base, destination, mirror.percentage());
      byName.put(mirror.name(), managed);
    }
    List<Map<String, Object>> routes = new ArrayList<>();
    intent.routing().managedRoutes().stream()
        .filter(byName::containsKey)
        .forEach(name -> routes.add(byName.get(name)));
    return routes;
  }

  /** The base route's matches AND a managed route's conditions, or why that cannot be. */
  private static List<Map<String, Object>> within(
      Map<String, Object> base,
      String where,
      String managed,
      List<Map<String, Object>> conditions) {
    try {
      return Matches.within(Trees.maps(base, "match"), conditions);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          managed + " cannot be placed above " + where + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> managedRoute(
      String name, List<Map<String, Object>> match, Object route) {
    Map<String, Object> managed = new LinkedHashMap<>();
    managed.put("name", name);
    managed.put("match", match);
    managed.put("route", route);
    return managed;
  }

  /**
   * Adds the copy to the canary. A route carries either {@code mirror} or the newer list {@code
   * mirrors}, never both: when the base route mirrors already, both go into {@code mirrors}.
   */
  private static void mirror(
      Map<String, Object> managed,
      Map<String, Object> base,
      Map<String, Object> destination,
      int percentage) {
    Map<String, Object> share = new LinkedHashMap<>();
    share.put("value", (double) percentage);
    if (!base.containsKey("mirror") && !base.containsKey("mirrors")) {
      managed.put("mirror", destination);
      managed.put("mirrorPercentage", share);
      return;
    }
    List<Object> mirrors = new ArrayList<>(Trees.maps(Trees.copy(base), "mirrors"));
    if (base.containsKey("mirror")) {
      Map<String, Object> existing = new LinkedHashMap<>();
      existing.put("destination", Trees.copy(base.get("mirror")));
      if (base.containsKey("mirrorPercentage")) {
        existing.put("percentage", Trees.copy(base.get("mirrorPercentage")));
      } else if (base.get("mirror_percent") instanceof Number percent) {
        existing.put("percentage", Map.of("value", percent.doubleValue()));
      }
      mirrors.add(existing);
    }
    Map<String, Object> ours = new LinkedHashMap<>();
    ours.put("destination", destination);
    ours.put("percentage", share);
    mirrors.add(ours);
    managed.put("mirrors", mirrors);
  }

  /** The destination of a version on the base route, or one built like its stable destination. */
  private static Map<String, Object> destinationOf(
      String role, Map<String, Object> base, IstioConfig config, String namespace) {
    Map<String, Object> stable = null;
    for (Map<String, Object> entry : Trees.maps(base, "route")) {
      List<String> roles = VirtualServices.rolesOf(entry, config.targets(), namespace);
      if (roles.equals(List.of(role))) {
        return Trees.copy(Trees.map(entry, "destination"));
      }
      if (roles.equals(List.of(RolloutRouting.STABLE))) {
        stable = entry;
      }
    }
    return VirtualServices.destinationFor(config.targets().get(role), stable);
  }
}
