package dev.meshroll.istio;

import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.istio.IstioConfig.Target;
import dev.meshroll.istio.IstioConfig.TlsSelector;
import dev.meshroll.istio.IstioConfig.VirtualServiceRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A VirtualService as it must be to serve an intent. Pure: no client, no clock, no logging.
 *
 * <p>It owns only the weights of the configured routes' version destinations, the destinations of
 * experiment variants, and the HTTP routes named in {@code managedRoutes}; every other field is
 * kept as found.
 */
final class VirtualServices {
  private VirtualServices() {}

  /**
   * The routes of one VirtualService that its config selects, by kind and index in the spec, and
   * what keeps them from being split.
   */
  record Selection(
      List<Integer> http, List<Integer> tls, List<Integer> tcp, List<ValidationProblem> problems) {}

  /** Everything that keeps {@code vs} from serving the rollout, all at once. */
  static List<ValidationProblem> problems(
      Map<String, Object> vs, VirtualServiceRef ref, IstioConfig config, RolloutRouting routing) {
    return select(vs, ref, config, routing).problems();
  }

  /** Whether the config splits at least one HTTP route of {@code vs}: managed routes need one. */
  static boolean splitsHttp(
      Map<String, Object> vs, VirtualServiceRef ref, IstioConfig config, RolloutRouting routing) {
    return !select(vs, ref, config, routing).http().isEmpty();
  }

  /**
   * {@code vs} serving {@code intent}: the configured routes split by its weights, its header and
   * mirror routes at the top in {@code managedRoutes} order, managed routes it no longer carries
   * removed. The result is checked before it is returned.
   *
   * @throws RouterException naming the object and what is wrong with it
   */
  static Map<String, Object> withIntent(
      Map<String, Object> given, VirtualServiceRef ref, IstioConfig config, RouteIntent intent)
      throws RouterException {
    RolloutRouting routing = intent.routing();
    Selection selection = select(given, ref, config, routing);
    if (!selection.problems().isEmpty()) {
      throw new RouterException(Rendering.message(selection.problems()));
    }
    Map<String, Object> vs = Trees.copy(given);
    Map<String, Object> spec = Trees.map(vs, "spec");
    Set<Map<String, Object>> touched = Collections.newSetFromMap(new IdentityHashMap<>());
    String namespace = routing.rollout().namespace();
    for (String kind : List.of("http", "tls", "tcp")) {
      List<Map<String, Object>> routes = Trees.maps(spec, kind);
      for (int index : indexes(selection, kind)) {
        split(routes.get(index), intent, config, namespace);
        touched.add(routes.get(index));
      }
    }
    if (!selection.http().isEmpty()) {
      List<Map<String, Object>> http = Trees.maps(spec, "http");
      Map<String, Object> base = http.get(selection.http().get(0));
      List<Map<String, Object>> routes = new ArrayList<>();
      try {
        routes.addAll(
            ManagedRoutes.above(
                base, describe("http", selection.http().get(0), base), intent, config));
      } catch (IllegalArgumentException e) {
        throw new RouterException("istio: " + ref.ref() + ": " + e.getMessage(), e);
      }
      touched.addAll(routes);
      for (Map<String, Object> route : http) {
        if (!routing.managedRoutes().contains(name(route))) {
          routes.add(route);
        }
      }
      spec.put("http", routes);
    }
    List<String> refusals = checks(spec, touched);
    if (!refusals.isEmpty()) {
      throw new RouterException(
          "istio: refusing to write " + ref.ref() + ": " + String.join("; ", refusals));
    }
    return vs;
  }

  static Selection select(
      Map<String, Object> vs, VirtualServiceRef ref, IstioConfig config, RolloutRouting routing) {
    List<ValidationProblem> problems = new ArrayList<>();
    Map<String, Object> spec = Trees.map(vs, "spec");
    List<Map<String, Object>> http = Trees.maps(spec, "http");
    List<Integer> ownHttp = new ArrayList<>();
    for (int i = 0; i < http.size(); i++) {
      String name = name(http.get(i));
      // A name both managed and split is the config's problem, reported there; here it counts as
      // the user's route, so that the problem is not reported a second time in other words.
      if (!routing.managedRoutes().contains(name) || ref.routes().contains(name)) {
        ownHttp.add(i);
      }
    }
    List<String> ownNames = ownHttp.stream().map(i -> describeName(i, http.get(i))).toList();
    List<Integer> httpSelected = new ArrayList<>();
    if (ref.implicit()) {
      if (ownHttp.size() == 1) {
        httpSelected.add(ownHttp.get(0));
      } else if (ownHttp.isEmpty()) {
        problems.add(
            IstioConfig.problem(
                ref.field() + ".routes", ref.ref() + " has no HTTP route to split"));
      } else {
        problems.add(
            IstioConfig.problem(
                ref.field() + ".routes",
                ref.ref()
                    + " has "
                    + ownHttp.size()
                    + " HTTP routes "
                    + ownNames
                    + "; name the ones to split in "
                    + ref.field()
                    + ".routes"));
      }
    }
    for (int r = 0; r < ref.routes().size(); r++) {
      String wanted = ref.routes().get(r);
      Optional<Integer> found =
          ownHttp.stream().filter(i -> wanted.equals(name(http.get(i)))).findFirst();
      if (found.isPresent()) {
        httpSelected.add(found.get());
      } else {
        List<String> named =
            ownHttp.stream().map(i -> name(http.get(i))).filter(n -> !n.isEmpty()).toList();
        problems.add(
            IstioConfig.problem(
                ref.field() + ".routes[" + r + "]",
                ref.ref()
                    + " has no HTTP route '"
                    + wanted
                    + "' (expected one of: "
                    + named
                    + ")"));
      }
    }
    List<Integer> tlsSelected = new ArrayList<>();
    for (int s = 0; s < ref.tlsRoutes().size(); s++) {
      TlsSelector selector = ref.tlsRoutes().get(s);
      if (!addMatching(Trees.maps(spec, "tls"), m -> selects(selector, m), tlsSelected)) {
        problems.add(
            IstioConfig.problem(
                ref.field() + ".tlsRoutes[" + s + "]",
                ref.ref() + " has no TLS route matching " + selector));
      }
    }
    List<Integer> tcpSelected = new ArrayList<>();
    for (int s = 0; s < ref.tcpRoutes().size(); s++) {
      int port = ref.tcpRoutes().get(s);
      if (!addMatching(
          Trees.maps(spec, "tcp"), m -> Trees.number(m, "port", 0) == port, tcpSelected)) {
        problems.add(
            IstioConfig.problem(
                ref.field() + ".tcpRoutes[" + s + "]",
                ref.ref() + " has no TCP route matching port " + port));
      }
    }
    Selection selection = new Selection(httpSelected, tlsSelected, tcpSelected, problems);
    String namespace = routing.rollout().namespace();
    for (String kind : List.of("http", "tls", "tcp")) {
      List<Map<String, Object>> routes = Trees.maps(spec, kind);
      for (int index : indexes(selection, kind)) {
        String route = ref.ref() + " " + describe(kind, index, routes.get(index));
        problems.addAll(destinationProblems(ref, route, routes.get(index), config, namespace));
      }
    }
    return selection;
  }

  private static List<ValidationProblem> destinationProblems(
      VirtualServiceRef ref,
      String route,
      Map<String, Object> given,
      IstioConfig config,
      String namespace) {
    List<ValidationProblem> problems = new ArrayList<>();
    String field = ref.field();
    List<Map<String, Object>> entries = Trees.maps(given, "route");
    Map<String, Integer> counts = new HashMap<>();
    Optional<String> stableHost = Optional.empty();
    for (Map<String, Object> entry : entries) {
      List<String> roles = rolesOf(entry, config.targets(), namespace);
      if (roles.size() > 1) {
        problems.add(
            IstioConfig.problem(
                field,
                route
                    + " has a destination ("
                    + destination(entry)
                    + ") that fits versions "
                    + roles
                    + "; give them destinations that tell them apart"));
      }
      // An ambiguous destination counts for each version it fits: they are not missing as well.
      for (String role : roles) {
        counts.merge(role, 1, Integer::sum);
        if (role.equals(RolloutRouting.STABLE)) {
          stableHost = Trees.text(Trees.map(entry, "destination"), "host");
        }
      }
    }
    for (Map.Entry<String, Target> target : config.targets().entrySet()) {
      String role = target.getKey();
      int count = counts.getOrDefault(role, 0);
      boolean required = role.equals(RolloutRouting.STABLE) || role.equals(RolloutRouting.CANARY);
      if (count == 0 && required) {
        problems.add(
            IstioConfig.problem(
                field,
                route
                    + " has no destination for version '"
                    + role
                    + "' (expected "
                    + target.getValue()
                    + ")"));
      } else if (count > 1) {
        problems.add(
            IstioConfig.problem(
                field,
                route
                    + " has "
                    + count
                    + " destinations for version '"
                    + role
                    + "' ("
                    + target.getValue()
                    + "); expected one"));
      }
    }
    if (config.destinationRule().isPresent() && stableHost.isPresent()) {
      Set<String> known = new HashSet<>(config.destinationRule().get().additionalSubsets());
      config.targets().values().forEach(t -> t.subset().ifPresent(known::add));
      for (Map<String, Object> entry : entries) {
        Map<String, Object> destination = Trees.map(entry, "destination");
        Optional<String> subset = Trees.text(destination, "subset");
        if (rolesOf(entry, config.targets(), namespace).isEmpty()
            && subset.isPresent()
            && !known.contains(subset.get())
            && Trees.text(destination, "host").equals(stableHost)) {
          problems.add(
              IstioConfig.problem(
                  "destinationRule.additionalSubsetNames",
                  route
                      + " sends traffic to subset '"
                      + subset.get()
                      + "' of "
                      + stableHost.get()
                      + ", which is not a version's subset nor in additionalSubsetNames"));
        }
      }
    }
    return problems;
  }

  /** Sets the weights of one route; destinations of no version keep theirs. */
  private static void split(
      Map<String, Object> route, RouteIntent intent, IstioConfig config, String namespace) {
    List<Map<String, Object>> entries = Trees.maps(route, "route");
    List<String> roles = new ArrayList<>();
    Map<String, Map<String, Object>> byRole = new HashMap<>();
    int others = 0;
    for (Map<String, Object> entry : entries) {
      List<String> fits = rolesOf(entry, config.targets(), namespace);
      String role = fits.isEmpty() ? "" : fits.get(0);
      roles.add(role);
      if (role.isEmpty()) {
        others += Trees.number(entry, "weight", 0);
      } else {
        byRole.put(role, entry);
      }
    }
    Map<String, Integer> weights = weights(intent, 100 - others);
    List<Map<String, Object>> result = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Map<String, Object> entry = entries.get(i);
      String role = roles.get(i);
      if (role.isEmpty()) {
        result.add(entry);
      } else if (weights.containsKey(role)) {
        entry.put("weight", weights.get(role));
        result.add(entry);
      }
      // else: a variant that no longer has traffic; its destination goes.
    }
    Map<String, Object> stable = byRole.get(RolloutRouting.STABLE);
    weights.forEach(
        (role, weight) -> {
          if (!byRole.containsKey(role)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("destination", destinationFor(config.targets().get(role), stable));
            entry.put("weight", weight);
            result.add(entry);
          }
        });
    route.put("route", result);
  }

  /**
   * Each version's weight on a route where {@code room} percent is left by destinations of no
   * version: stable, canary, and variants with traffic. They get the intent's weights and stable
   * the rest; when the room is too small for them, they share it in proportion and stable gets 0.
   */
  static Map<String, Integer> weights(RouteIntent intent, int room) {
    Map<String, Integer> wanted = new LinkedHashMap<>();
    for (String role : intent.routing().versions()) {
      int weight = intent.weightOf(role);
      if (role.equals(RolloutRouting.CANARY)
          || (!role.equals(RolloutRouting.STABLE) && weight > 0)) {
        wanted.put(role, weight);
      }
    }
    int rest = wanted.values().stream().mapToInt(Integer::intValue).sum();
    Map<String, Integer> weights = new LinkedHashMap<>();
    if (rest <= room) {
      weights.put(RolloutRouting.STABLE, room - rest);
      weights.putAll(wanted);
      return weights;
    }
    weights.put(RolloutRouting.STABLE, 0);
    if (room <= 0) {
      wanted.keySet().forEach(role -> weights.put(role, 0));
      return weights;
    }
    // Largest remainder: the shares add up to the room exactly; ties go to the earlier version.
    Map<String, Double> remainders = new LinkedHashMap<>();
    int given = 0;
    for (Map.Entry<String, Integer> role : wanted.entrySet()) {
      double exact = (double) role.getValue() * room / rest;
      weights.put(role.getKey(), (int) Math.floor(exact));
      remainders.put(role.getKey(), exact - Math.floor(exact));
      given += (int) Math.floor(exact);
    }
    List<String> order = new ArrayList<>(remainders.keySet());
    order.sort((a, b) -> Double.compare(remainders.get(b), remainders.get(a)));
    for (int i = 0; i < room - given; i++) {
      weights.merge(order.get(i), 1, Integer::sum);
    }
    return weights;
  }

  /**
   * A destination for {@code target} modelled on the stable one, so that it keeps its port and, for
   * a subset, its host.
   */
  static Map<String, Object> destinationFor(Target target, Map<String, Object> stable) {
    Map<String, Object> destination = Trees.copy(Trees.map(stable, "destination"));
    target.host().ifPresent(host -> destination.put("host", host));
    if (target.subset().isPresent()) {
      destination.put("subset", target.subset().get());
    } else {
      destination.remove("subset");
    }
    return destination;
  }

  /**
   * The versions a route destination serves: those whose target it fits best (a target with host
   * and subset fits better than one with either). More than one means the config is ambiguous.
   */
  static List<String> rolesOf(
      Map<String, Object> entry, Map<String, Target> targets, String namespace) {
    Map<String, Object> destination = Trees.map(entry, "destination");
    String host = Trees.text(destination, "host").orElse("");
    Optional<String> subset = Trees.text(destination, "subset");
    int best = 0;
    List<String> roles = new ArrayList<>();
    for (Map.Entry<String, Target> target : targets.entrySet()) {
      Target wanted = target.getValue();
      if (wanted.host().isPresent() && !sameHost(host, wanted.host().get(), namespace)) {
        continue;
      }
      if (wanted.subset().isPresent() && !wanted.subset().equals(subset)) {
        continue;
      }
      int fit = (wanted.host().isPresent() ? 1 : 0) + (wanted.subset().isPresent() ? 1 : 0);
      if (fit > best) {
        best = fit;
        roles.clear();
      }
      if (fit == best) {
        roles.add(target.getKey());
      }
    }
    return roles;
  }

  /** Whether a destination host names a Service: by its short name or its in-cluster names. */
  private static boolean sameHost(String host, String service, String namespace) {
    return host.equals(service)
        || host.equals(service + "." + namespace)
        || host.startsWith(service + "." + namespace + ".svc");
  }

  /**
   * Adds to {@code selected} the index of every route with a match entry that {@code matches}.
   *
   * @return whether any route matched
   */
  private static boolean addMatching(
      List<Map<String, Object>> routes,
      Predicate<Map<String, Object>> matches,
      List<Integer> selected) {
    boolean found = false;
    for (int i = 0; i < routes.size(); i++) {
      if (Trees.maps(routes.get(i), "match").stream().anyMatch(matches)) {
        found = true;
        if (!selected.contains(i)) {
          selected.add(i);
        }
      }
    }
    return found;
  }

  private static boolean selects(TlsSelector selector, Map<String, Object> match) {
    if (selector.port().isPresent() && Trees.number(match, "port", 0) != selector.port().get()) {
      return false;
    }
    List<Object> hosts =
        match.get("sniHosts") instanceof List<?> list ? List.copyOf(list) : List.of();
    return hosts.containsAll(selector.sniHosts());
  }

  /** What would make the API server or Istio refuse the object, or make it route wrongly. */
  private static List<String> checks(Map<String, Object> spec, Set<Map<String, Object>> touched) {
    List<String> refusals = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String kind : List.of("http", "tls", "tcp")) {
      List<Map<String, Object>> routes = Trees.maps(spec, kind);
      for (int i = 0; i < routes.size(); i++) {
        Map<String, Object> route = routes.get(i);
        String where = describe(kind, i, route);
        if (kind.equals("http") && !name(route).isEmpty() && !names.add(name(route))) {
          refusals.add("two HTTP routes are named '" + name(route) + "'");
        }
        List<Map<String, Object>> entries = Trees.maps(route, "route");
        List<Map<String, Object>> destinations = new ArrayList<>();
        entries.forEach(entry -> destinations.add(Trees.map(entry, "destination")));
        if (route.containsKey("mirror")) {
          destinations.add(Trees.map(route, "mirror"));
        }
        Trees.maps(route, "mirrors").forEach(m -> destinations.add(Trees.map(m, "destination")));
        if (destinations.stream().anyMatch(d -> Trees.text(d, "host").isEmpty())) {
          refusals.add(where + " has a destination without a host");
        }
        if (!touched.contains(route)) {
          continue;
        }
        int sum = 0;
        for (Map<String, Object> entry : entries) {
          int weight = Trees.number(entry, "weight", 0);
          if (weight < 0 || weight > 100) {
            refusals.add(where + " has weight " + weight + " (expected: 0..100)");
          }
          sum += weight;
        }
        boolean implicit = entries.size() == 1 && !entries.get(0).containsKey("weight");
        if (!implicit && sum != 100) {
          refusals.add(where + " weights sum to " + sum + " (expected: 100)");
        }
      }
    }
    return refusals;
  }

  private static List<Integer> indexes(Selection selection, String kind) {
    if (kind.equals("http")) {
      return selection.http();
    }
    return kind.equals("tls") ? selection.tls() : selection.tcp();
  }

  static String name(Map<String, Object> route) {
    return Trees.text(route, "name").orElse("");
  }

  private static String describeName(int index, Map<String, Object> route) {
    return name(route).isEmpty() ? "http[" + index + "]" : name(route);
  }

  /** {@code HTTP route 'primary'}, or by position for routes without a name. */
  static String describe(String kind, int index, Map<String, Object> route) {
    if (kind.equals("http") && !name(route).isEmpty()) {
      return "HTTP route '" + name(route) + "'";
    }
    return kind.toUpperCase(Locale.ROOT) + " route " + kind + "[" + index + "]";
  }

  private static String destination(Map<String, Object> entry) {
    Map<String, Object> destination = Trees.map(entry, "destination");
    return "host "
        + Trees.text(destination, "host").orElse("''")
        + Trees.text(destination, "subset").map(s -> " subset " + s).orElse("");
  }
}
