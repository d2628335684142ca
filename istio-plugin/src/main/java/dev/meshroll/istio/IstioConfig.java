package dev.meshroll.istio;

import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.ValidationProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A rollout's {@code istio} block, bound and checked: Argo Rollouts' block by the same names, plus
 * {@code versions} for the destinations of experiment variants. Pure.
 *
 * @param virtualServices the VirtualServices whose routes are split, in the config's order
 * @param destinationRule the DestinationRule whose subsets name the versions (subset-level split)
 * @param targets version role to its destination, for every role that has one
 * @param problems everything wrong with the block; the other fields hold what could be read
 */
record IstioConfig(
    List<VirtualServiceRef> virtualServices,
    Optional<DestinationRuleRef> destinationRule,
    Map<String, Target> targets,
    List<ValidationProblem> problems) {

  static final String VIRTUAL_SERVICE = "VirtualService";
  static final String DESTINATION_RULE = "DestinationRule";

  private static final Set<String> FIELDS =
      Set.of("virtualService", "virtualServices", "destinationRule", "versions");
  private static final Set<String> VIRTUAL_SERVICE_FIELDS =
      Set.of("name", "routes", "tlsRoutes", "tcpRoutes");
  private static final Set<String> DESTINATION_RULE_FIELDS =
      Set.of("name", "canarySubsetName", "stableSubsetName", "additionalSubsetNames");
  private static final Set<String> TARGET_FIELDS = Set.of("host", "subset", "labels");

  /** Names one Istio object. */
  record ObjectRef(String kind, String namespace, String name) {
    @Override
    public String toString() {
      return kind + " " + namespace + "/" + name;
    }
  }

  /**
   * One configured VirtualService and which of its routes are split.
   *
   * @param field where it is in the config, e.g. {@code virtualServices[1]}
   * @param routes names of HTTP routes; with no routes of any kind, its only HTTP route
   */
  record VirtualServiceRef(
      String field,
      ObjectRef ref,
      List<String> routes,
      List<TlsSelector> tlsRoutes,
      List<Integer> tcpRoutes) {

    /** Whether the config names no route at all, so the single HTTP route is meant. */
    boolean implicit() {
      return routes.isEmpty() && tlsRoutes.isEmpty() && tcpRoutes.isEmpty();
    }
  }

  /** Selects TLS routes by a match's port and SNI hosts, as Argo's {@code tlsRoutes} entries. */
  record TlsSelector(Optional<Integer> port, List<String> sniHosts) {
    @Override
    public String toString() {
      return port.map(p -> "port " + p).orElse("")
          + (port.isPresent() && !sniHosts.isEmpty() ? " and " : "")
          + (sniHosts.isEmpty() ? "" : "sniHosts " + sniHosts);
    }
  }

  /** The DestinationRule of a subset-level split. */
  record DestinationRuleRef(
      ObjectRef ref, String stableSubset, String canarySubset, List<String> additionalSubsets) {}

  /**
   * Where one version role is served: a Service host, a DestinationRule subset, or both.
   *
   * @param labels when not empty, the plugin owns the subset and writes it with these labels
   */
  record Target(Optional<String> host, Optional<String> subset, Map<String, String> labels) {
    @Override
    public String toString() {
      return String.join(
              " ", host.map(h -> "host " + h).orElse(""), subset.map(s -> "subset " + s).orElse(""))
          .trim();
    }
  }

  /** Binds the router's block of {@code routing}; objects named without a namespace live in it. */
  static IstioConfig from(RolloutRouting routing, Optional<String> namespace) {
    return new Reader(routing, namespace.orElse(routing.rollout().namespace())).read();
  }

  static ValidationProblem problem(String field, String message) {
    return new ValidationProblem(field, "istio: " + message);
  }

  /** Reads the tree field by field, collecting every problem rather than stopping at the first. */
  private static final class Reader {
    private final RolloutRouting routing;
    private final String namespace;
    private final List<ValidationProblem> problems = new ArrayList<>();

    Reader(RolloutRouting routing, String namespace) {
      this.routing = routing;
      this.namespace = namespace;
    }

    IstioConfig read() {
      Map<String, Object> config = routing.config();
      unknownFields("", config, FIELDS);
      List<VirtualServiceRef> virtualServices = virtualServices(config);
      Optional<DestinationRuleRef> destinationRule = Optional.empty();
      if (config.containsKey("destinationRule")) {
        destinationRule = destinationRule(mapAt("destinationRule", config.get("destinationRule")));
      }
      Map<String, Target> targets = targets(config, destinationRule);
      Set<String> split = new HashSet<>();
      virtualServices.forEach(vs -> split.addAll(vs.routes()));
      for (String managed : routing.managedRoutes()) {
        if (split.contains(managed)) {
          problems.add(
              problem(
                  "",
                  "managed route '"
                      + managed
                      + "' is also named as a route to split; managed routes need names of their"
                      + " own"));
        }
      }
      return new IstioConfig(virtualServices, destinationRule, targets, List.copyOf(problems));
    }

    private List<VirtualServiceRef> virtualServices(Map<String, Object> config) {
      List<VirtualServiceRef> refs = new ArrayList<>();
      boolean one = config.containsKey("virtualService");
      boolean many = config.containsKey("virtualServices");
      if (one && many) {
        problems.add(problem("", "set virtualService or virtualServices, not both"));
      } else if (!one && !many) {
        problems.add(
            problem("", "a VirtualService is needed (expected virtualService or virtualServices)"));
      } else if (one) {
        virtualService("virtualService", config.get("virtualService")).ifPresent(refs::add);
      } else if (!(config.get("virtualServices") instanceof List<?> list) || list.isEmpty()) {
        problems.add(problem("virtualServices", "expected a non-empty list of VirtualServices"));
      } else {
        for (int i = 0; i < list.size(); i++) {
          virtualService("virtualServices[" + i + "]", list.get(i)).ifPresent(refs::add);
        }
      }
      Set<ObjectRef> seen = new HashSet<>();
      for (VirtualServiceRef ref : refs) {
        if (!seen.add(ref.ref())) {
          problems.add(problem(ref.field() + ".name", ref.ref() + " is configured twice"));
        }
      }
      return refs;
    }

    private Optional<VirtualServiceRef> virtualService(String field, Object value) {
      Map<String, Object> tree = mapAt(field, value);
      unknownFields(field + ".", tree, VIRTUAL_SERVICE_FIELDS);
      Optional<ObjectRef> ref = name(field, tree, VIRTUAL_SERVICE);
      List<String> routes = strings(field + ".routes", tree.get("routes"));
      if (new HashSet<>(routes).size() != routes.size()) {
        problems.add(problem(field + ".routes", "routes " + routes + " repeat a name"));
      }
      List<TlsSelector> tls = new ArrayList<>();
      List<?> tlsList = list(field + ".tlsRoutes", tree.get("tlsRoutes"));
      for (int i = 0; i < tlsList.size(); i++) {
        String at = field + ".tlsRoutes[" + i + "]";
        Map<String, Object> selector = mapAt(at, tlsList.get(i));
        unknownFields(at + ".", selector, Set.of("port", "sniHosts"));
        Optional<Integer> port = port(at + ".port", selector.get("port"));
        List<String> sniHosts = strings(at + ".sniHosts", selector.get("sniHosts"));
        if (!selector.containsKey("port") && !selector.containsKey("sniHosts")) {
          problems.add(problem(at, "a TLS route is selected by port or sniHosts; neither is set"));
        } else if (port.isPresent() || !sniHosts.isEmpty()) {
          tls.add(new TlsSelector(port, sniHosts));
        }
      }
      List<Integer> tcp = new ArrayList<>();
      List<?> tcpList = list(field + ".tcpRoutes", tree.get("tcpRoutes"));
      for (int i = 0; i < tcpList.size(); i++) {
        String at = field + ".tcpRoutes[" + i + "]";
        Map<String, Object> selector = mapAt(at, tcpList.get(i));
        unknownFields(at + ".", selector, Set.of("port"));
        if (!selector.containsKey("port")) {
          problems.add(problem(at, "a TCP route is selected by port; none is set"));
        }
        port(at + ".port", selector.get("port")).ifPresent(tcp::add);
      }
      return ref.map(r -> new VirtualServiceRef(field, r, routes, tls, tcp));
    }

    private Optional<DestinationRuleRef> destinationRule(Map<String, Object> tree) {
      String field = "destinationRule";
      unknownFields(field + ".", tree, DESTINATION_RULE_FIELDS);
      Optional<ObjectRef> ref = name(field, tree, DESTINATION_RULE);
      Optional<String> stable = required(field + ".stableSubsetName", tree, "stableSubsetName");
      Optional<String> canary = required(field + ".canarySubsetName", tree, "canarySubsetName");
      List<String> additional =
          strings(field + ".additionalSubsetNames", tree.get("additionalSubsetNames"));
      if (stable.isPresent() && stable.equals(canary)) {
        problems.add(
            problem(
                field + ".canarySubsetName",
                "stable and canary must be different subsets, both are '" + stable.get() + "'"));
      }
      if (ref.isEmpty() || stable.isEmpty() || canary.isEmpty() || stable.equals(canary)) {
        return Optional.empty();
      }
      return Optional.of(new DestinationRuleRef(ref.get(), stable.get(), canary.get(), additional));
    }

    private Map<String, Target> targets(
        Map<String, Object> config, Optional<DestinationRuleRef> destinationRule) {
      Map<String, Object> explicit = mapAt("versions", config.getOrDefault("versions", Map.of()));
      for (String role : explicit.keySet()) {
        if (!routing.versions().contains(role)) {
          problems.add(
              problem(
                  "versions." + role,
                  "'"
                      + role
                      + "' is not a version of this rollout (expected one of: "
                      + routing.versions()
                      + ")"));
        }
      }
      boolean subsetLevel = config.containsKey("destinationRule");
      Map<String, Target> targets = new LinkedHashMap<>();
      for (String role : routing.versions()) {
        Optional<Target> target = Optional.empty();
        if (explicit.containsKey(role)) {
          target = explicitTarget("versions." + role, explicit.get(role), subsetLevel);
          if (target.isPresent()
              && !target.get().labels().isEmpty()
              && (role.equals(RolloutRouting.STABLE) || role.equals(RolloutRouting.CANARY))) {
            // The plugin removes the subsets it writes on release; stable's and canary's are
            // still named by the routes then.
            problems.add(
                problem(
                    "versions." + role + ".labels",
                    "labels are for experiment variants; the subsets of stable and canary are the"
                        + " DestinationRule's own"));
          }
        } else if (subsetLevel && role.equals(RolloutRouting.STABLE)) {
          target = destinationRule.map(dr -> subset(dr.stableSubset()));
        } else if (subsetLevel && role.equals(RolloutRouting.CANARY)) {
          target = destinationRule.map(dr -> subset(dr.canarySubset()));
        } else if (routing.services().containsKey(role)) {
          target =
              Optional.of(
                  new Target(
                      Optional.of(routing.services().get(role)), Optional.empty(), Map.of()));
        } else {
          problems.add(problem("versions." + role, noDestination(role)));
        }
        target.ifPresent(t -> targets.put(role, t));
      }
      Map<Target, String> seen = new LinkedHashMap<>();
      targets.forEach(
          (role, target) -> {
            Target key = new Target(target.host(), target.subset(), Map.of());
            String other = seen.putIfAbsent(key, role);
            if (other != null) {
              problems.add(
                  problem(
                      "versions." + role,
                      "versions '"
                          + other
                          + "' and '"
                          + role
                          + "' have the same destination ("
                          + target
                          + ")"));
            }
          });
      return targets;
    }

    private static Target subset(String name) {
      return new Target(Optional.empty(), Optional.of(name), Map.of());
    }

    private static String noDestination(String role) {
      if (role.equals(RolloutRouting.STABLE) || role.equals(RolloutRouting.CANARY)) {
        return "version '"
            + role
            + "' has no destination (expected "
            + role
            + "Service in the strategy, istio.destinationRule or istio.versions."
            + role
            + ")";
      }
      return "version '"
          + role
          + "' has no destination (expected istio.versions."
          + role
          + " with a host or a subset)";
    }

    private Optional<Target> explicitTarget(String field, Object value, boolean subsetLevel) {
      Map<String, Object> tree = mapAt(field, value);
      unknownFields(field + ".", tree, TARGET_FIELDS);
      Optional<String> host = optionalText(field + ".host", tree.get("host"));
      Optional<String> subset = optionalText(field + ".subset", tree.get("subset"));
      Map<String, String> labels = new LinkedHashMap<>();
      mapAt(field + ".labels", tree.getOrDefault("labels", Map.of()))
          .forEach((key, label) -> labels.put(key, String.valueOf(label)));
      if (host.isEmpty() && subset.isEmpty()) {
        problems.add(problem(field, "a version's destination needs a host or a subset"));
        return Optional.empty();
      }
      if (!labels.isEmpty() && (subset.isEmpty() || !subsetLevel)) {
        problems.add(
            problem(
                field + ".labels",
                "labels make the plugin write a subset, which needs a subset name and"
                    + " istio.destinationRule"));
      }
      return Optional.of(new Target(host, subset, labels));
    }

    private Optional<ObjectRef> name(String field, Map<String, Object> tree, String kind) {
      Optional<String> name = required(field + ".name", tree, "name");
      if (name.isEmpty()) {
        return Optional.empty();
      }
      // Argo's form: "name.namespace" when the name holds exactly one dot.
      String[] parts = name.get().split("\\.", -1);
      if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
        return Optional.of(new ObjectRef(kind, parts[1], parts[0]));
      }
      return Optional.of(new ObjectRef(kind, namespace, name.get()));
    }

    private Optional<String> required(String field, Map<String, Object> tree, String key) {
      if (!tree.containsKey(key)) {
        problems.add(problem(field, key + " is required"));
        return Optional.empty();
      }
      Object value = tree.get(key);
      Optional<String> text = optionalText(field, value);
      if (text.isEmpty() && value instanceof String) {
        problems.add(problem(field, key + " must not be empty"));
      }
      return text;
    }

    private Optional<String> optionalText(String field, Object value) {
      if (value == null) {
        return Optional.empty();
      }
      if (!(value instanceof String text)) {
        problems.add(problem(field, "expected a string, got " + describe(value)));
        return Optional.empty();
      }
      return text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    private Optional<Integer> port(String field, Object value) {
      if (value == null) {
        return Optional.empty();
      }
      if (!(value instanceof Number number)
          || number.doubleValue() != number.intValue()
          || number.intValue() < 1
          || number.intValue() > 65535) {
        problems.add(problem(field, "expected a port number 1..65535, got " + describe(value)));
        return Optional.empty();
      }
      return Optional.of(number.intValue());
    }

    private List<String> strings(String field, Object value) {
      List<String> strings = new ArrayList<>();
      List<?> list = list(field, value);
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) instanceof String text && !text.isBlank()) {
          strings.add(text);
        } else {
          problems.add(
              problem(
                  field + "[" + i + "]",
                  "expected a non-empty string, got " + describe(list.get(i))));
        }
      }
      return strings;
    }

    private List<?> list(String field, Object value) {
      if (value == null) {
        return List.of();
      }
      if (!(value instanceof List<?> list)) {
        problems.add(problem(field, "expected a list, got " + describe(value)));
        return List.of();
      }
      return list;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> mapAt(String field, Object value) {
      if (value instanceof Map<?, ?> map) {
        return (Map<String, Object>) map;
      }
      problems.add(problem(field, "expected a map, got " + describe(value)));
      return Map.of();
    }

    private void unknownFields(String prefix, Map<String, Object> tree, Set<String> known) {
      // Argo users were bitten by settings silently dropped: a misspelt key is an error here.
      for (String key : tree.keySet()) {
        if (!known.contains(key)) {
          problems.add(
              problem(
                  prefix + key,
                  "unknown field '" + key + "' (expected one of: " + new TreeSet<>(known) + ")"));
        }
      }
    }

    private static String describe(Object value) {
      if (value == null) {
        return "nothing";
      }
      if (value instanceof Map<?, ?>) {
        return "a map";
      }
      if (value instanceof List<?>) {
        return "a list";
      }
      return "'" + value + "'";
    }
  }
}
