package dev.meshroll.smi;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.ValidationProblem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A rollout's {@code smi} block, bound and resolved: Argo Rollouts' {@code trafficSplitName} and
 * {@code rootService}, plus {@code apiVersion}, {@code variantServices}, {@code adopt} and {@code
 * onRelease}. Binding never throws: what is wrong is listed in {@link #problems()}.
 *
 * @param rollout the rollout
 * @param namespace where the TrafficSplit and the Services live
 * @param trafficSplitName the rollout's TrafficSplit; default: the rollout's name
 * @param rootService the Service clients call; default: the stable version's Service
 * @param services version role to its Service, for every role that has one, in the rollout's order
 * @param managedRoutes the rollout's managed routes, in precedence order
 * @param apiVersion the configured split.smi-spec.io version; empty: ask the API server
 * @param adopt whether to take over a TrafficSplit that Meshroll did not create
 * @param deleteOnRelease whether release deletes the TrafficSplit rather than leaving it at the
 *     final weights ({@code onRelease: delete})
 * @param problems everything wrong with the block, or nothing
 */
record SmiConfig(
    RolloutRef rollout,
    String namespace,
    String trafficSplitName,
    String rootService,
    Map<String, String> services,
    List<String> managedRoutes,
    Optional<SplitVersion> apiVersion,
    boolean adopt,
    boolean deleteOnRelease,
    List<ValidationProblem> problems) {

  static final String TRAFFIC_SPLIT_NAME = "trafficSplitName";
  static final String ROOT_SERVICE = "rootService";
  static final String API_VERSION = "apiVersion";
  static final String VARIANT_SERVICES = "variantServices";
  static final String ADOPT = "adopt";
  static final String ON_RELEASE = "onRelease";

  private static final Set<String> KEYS =
      Set.of(TRAFFIC_SPLIT_NAME, ROOT_SERVICE, API_VERSION, VARIANT_SERVICES, ADOPT, ON_RELEASE);
  private static final List<String> RELEASE_ACTIONS = List.of("keep", "delete");

  // Kubernetes' own rules: object names are DNS-1123 subdomains, Service names DNS-1035 labels.
  private static final Pattern OBJECT_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final String NAME_RULE =
      " (expected lower-case letters, digits, '-' and '.', starting and ending with a letter or"
          + " digit)";
  private static final String SERVICE_RULE =
      " (expected at most 63 lower-case letters, digits and '-', starting with a letter)";

  /** Where a Service of the config comes from, for messages: {@code canaryService}. */
  record ServiceUse(String service, String field, String origin) {}

  SmiConfig {
    services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    managedRoutes = List.copyOf(managedRoutes);
    problems = List.copyOf(problems);
  }

  /**
   * Binds the {@code smi} block of {@code routing}.
   *
   * @param namespace the host's {@code namespace} setting, which replaces the rollout's
   */
  static SmiConfig from(RolloutRouting routing, Optional<String> namespace) {
    Map<String, Object> block = routing.config();
    List<ValidationProblem> problems = new ArrayList<>();
    for (String key : block.keySet()) {
      if (!KEYS.contains(key)) {
        problems.add(
            problem(
                key, "unknown key '" + key + "' (expected one of: " + new TreeSet<>(KEYS) + ")"));
      }
    }
    RolloutRef rollout = routing.rollout();
    String splitName = text(block, TRAFFIC_SPLIT_NAME, problems).orElse(rollout.name());
    if (!isObjectName(splitName)) {
      problems.add(
          problem(
              block.containsKey(TRAFFIC_SPLIT_NAME) ? TRAFFIC_SPLIT_NAME : "",
              "TrafficSplit name '" + splitName + "' is not a valid Kubernetes name" + NAME_RULE));
    }
    Optional<SplitVersion> apiVersion = Optional.empty();
    Optional<String> versionText = text(block, API_VERSION, problems);
    if (versionText.isPresent()) {
      apiVersion = SplitVersion.of(versionText.get());
      if (apiVersion.isEmpty()) {
        problems.add(
            problem(
                API_VERSION,
                "'"
                    + versionText.get()
                    + "' is not a "
                    + SplitVersion.GROUP
                    + " version (expected one of: "
                    + SplitVersion.names()
                    + ")"));
      }
    }
    boolean adopt = adopt(block, problems);
    boolean deleteOnRelease = false;
    Optional<String> onRelease = text(block, ON_RELEASE, problems);
    if (onRelease.isPresent()) {
      deleteOnRelease = onRelease.get().equals("delete");
      if (!RELEASE_ACTIONS.contains(onRelease.get())) {
        problems.add(
            problem(
                ON_RELEASE,
                "'"
                    + onRelease.get()
                    + "' is not a release action (expected one of: "
                    + RELEASE_ACTIONS
                    + ")"));
      }
    }
    Map<String, String> services = services(routing, block, problems);
    String rootService =
        text(block, ROOT_SERVICE, problems)
            .orElse(services.getOrDefault(RolloutRouting.STABLE, ""));
    if (block.get(ROOT_SERVICE) instanceof String root && !root.isBlank() && !isServiceName(root)) {
      problems.add(
          problem(ROOT_SERVICE, "'" + root + "' is not a valid Service name" + SERVICE_RULE));
      rootService = ""; // no use asking the API server for it
    }
    for (String route : routing.managedRoutes()) {
      String name = splitName + "-" + route;
      if (isObjectName(splitName) && !isObjectName(name)) {
        problems.add(
            problem(
                "",
                "managed route '"
                    + route
                    + "' gives its TrafficSplit and HTTPRouteGroup the name '"
                    + name
                    + "', which is not a valid Kubernetes name"
                    + NAME_RULE));
      }
    }
    return new SmiConfig(
        rollout,
        namespace.orElse(rollout.namespace()),
        splitName,
        rootService,
        services,
        routing.managedRoutes(),
        apiVersion,
        adopt,
        deleteOnRelease,
        problems);
  }

  /** Every Service the config names, each once, with where it comes from. */
  List<ServiceUse> serviceUses() {
    Map<String, ServiceUse> uses = new LinkedHashMap<>();
    services.forEach(
        (role, service) -> {
          String origin =
              switch (role) {
                case RolloutRouting.STABLE -> "stableService";
                case RolloutRouting.CANARY -> "canaryService";
                default -> VARIANT_SERVICES + "." + role;
              };
          String field = origin.startsWith(VARIANT_SERVICES) ? origin : "";
          uses.putIfAbsent(service, new ServiceUse(service, field, origin));
        });
    if (!rootService.isEmpty()) {
      uses.putIfAbsent(rootService, new ServiceUse(rootService, ROOT_SERVICE, ROOT_SERVICE));
    }
    return List.copyOf(uses.values());
  }

  /** The rollout's TrafficSplit, in {@code version}. */
  ObjectRef split(SplitVersion version) {
    return new ObjectRef(version.apiVersion(), "TrafficSplit", namespace, trafficSplitName);
  }

  /** The TrafficSplit that sends a header route's requests to its version. */
  ObjectRef routeSplit(SplitVersion version, String route) {
    return new ObjectRef(version.apiVersion(), "TrafficSplit", namespace, routeName(route));
  }

  /** The HTTPRouteGroup holding a header route's conditions. */
  ObjectRef routeGroup(SplitVersion version, String route) {
    return new ObjectRef(
        version.routeGroupApiVersion(), "HTTPRouteGroup", namespace, routeName(route));
  }

  /** Every object the rollout may own in {@code version}: its TrafficSplit, then per route. */
  List<ObjectRef> refs(SplitVersion version) {
    List<ObjectRef> refs = new ArrayList<>();
    refs.add(split(version));
    if (version.hasMatches()) {
      for (String route : managedRoutes) {
        refs.add(routeSplit(version, route));
        refs.add(routeGroup(version, route));
      }
    }
    return refs;
  }

  /**
   * The config, or the exception listing its problems.
   *
   * @throws RouterException naming every problem, as validation does
   */
  SmiConfig valid() throws RouterException {
    if (!problems.isEmpty()) {
      throw new RouterException(
          "smi: "
              + problems.stream()
                  .map(problem -> problem.toString().replaceFirst("smi: ", ""))
                  .collect(Collectors.joining("; ")));
    }
    return this;
  }

  private String routeName(String route) {
    return trafficSplitName + "-" + route;
  }

  static ValidationProblem problem(String field, String message) {
    return new ValidationProblem(field, "smi: " + message);
  }

  private static Map<String, String> services(
      RolloutRouting routing, Map<String, Object> block, List<ValidationProblem> problems) {
    Map<String, String> variantServices = new LinkedHashMap<>();
    Object given = block.get(VARIANT_SERVICES);
    List<String> variants = routing.versions().subList(2, routing.versions().size());
    if (given instanceof Map<?, ?> map) {
      map.forEach(
          (variant, service) -> {
            String field = VARIANT_SERVICES + "." + variant;
            if (!variants.contains(String.valueOf(variant))) {
              problems.add(
                  problem(
                      field,
                      "'"
                          + variant
                          + "' is not an experiment variant of this rollout (expected one of: "
                          + variants
                          + ")"));
            } else if (!(service instanceof String name) || !isServiceName(name)) {
              problems.add(
                  problem(field, "'" + service + "' is not a valid Service name" + SERVICE_RULE));
            } else {
              variantServices.put(String.valueOf(variant), name);
            }
          });
    } else if (given != null) {
      problems.add(
          problem(
              VARIANT_SERVICES,
              "expected a map of experiment variant to Service name, got '" + given + "'"));
    }
    Map<String, String> services = new LinkedHashMap<>();
    Map<String, String> users = new LinkedHashMap<>();
    for (String role : routing.versions()) {
      String service =
          variants.contains(role) ? variantServices.get(role) : routing.services().get(role);
      if (service == null) {
        if (!variants.contains(role)) {
          problems.add(
              problem(
                  "",
                  "version '"
                      + role
                      + "' has no Service (expected the strategy's "
                      + (role.equals(RolloutRouting.STABLE)
                          ? "stableService or activeService)"
                          : "canaryService or previewService)")));
        } else if (!(given instanceof Map<?, ?> map && map.containsKey(role))) {
          problems.add(
              problem(
                  VARIANT_SERVICES,
                  "experiment variant '"
                      + role
                      + "' has no Service (expected "
                      + VARIANT_SERVICES
                      + "."
                      + role
                      + ")"));
        }
        continue;
      }
      String other = users.putIfAbsent(service, role);
      if (other != null) {
        problems.add(
            problem(
                variants.contains(role) ? VARIANT_SERVICES + "." + role : "",
                "versions '"
                    + other
                    + "' and '"
                    + role
                    + "' both use Service "
                    + service
                    + " (expected a Service per version, or the split cannot tell them apart)"));
      }
      services.put(role, service);
    }
    return services;
  }

  private static Optional<String> text(
      Map<String, Object> block, String key, List<ValidationProblem> problems) {
    Object value = block.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text) || text.isBlank()) {
      problems.add(problem(key, "expected a non-empty string, got '" + value + "'"));
      return Optional.empty();
    }
    return Optional.of(text);
  }

  private static boolean adopt(Map<String, Object> block, List<ValidationProblem> problems) {
    Object value = block.get(ADOPT);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean bool)) {
      problems.add(problem(ADOPT, "expected true or false, got '" + value + "'"));
      return false;
    }
    return bool;
  }

  private static boolean isObjectName(String name) {
    return name.length() <= 253 && OBJECT_NAME.matcher(name).matches();
  }

  private static boolean isServiceName(String name) {
    return name.length() <= 63 && SERVICE_NAME.matcher(name).matches();
  }
}
