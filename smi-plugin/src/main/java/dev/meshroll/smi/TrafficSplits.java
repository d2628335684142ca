package dev.meshroll.smi;

import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The SMI objects of one rollout as an intent wants them: its TrafficSplit (the root service, one
 * backend per version with its weight) and, per header route in force, an HTTPRouteGroup with the
 * route's conditions and a TrafficSplit that sends what matches them to the route's version. Pure:
 * no client, no clock, no logging; {@code apply} renders from the live objects, {@code meshroll
 * plan} from files.
 *
 * <p>The router owns {@code spec.service} and {@code spec.backends} of the rollout's TrafficSplit,
 * and all of the header routes' objects; every other field stays as found. Backends whose weights
 * have the same shares as the rendering (say {@code 900m}/{@code 100m} for 90/10) stay as found.
 */
final class TrafficSplits {
  static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  static final String MANAGER = "meshroll";
  static final String OWNER_ANNOTATION = "meshroll.dev/rollout";

  private TrafficSplits() {}

  /**
   * What the cluster needs to serve {@code intent}, given the objects {@code found} there.
   *
   * @throws RouterException when the config is wrong, the intent asks for what SMI or this version
   *     cannot do, or an object to write belongs to someone else
   */
  static Changes forIntent(
      SmiConfig config, SplitVersion version, RouteIntent intent, List<Map<String, Object>> found)
      throws RouterException {
    config.valid();
    if (!intent.mirrorRoutes().isEmpty()) {
      throw new RouterException(
          "smi: mirror route '"
              + intent.mirrorRoutes().get(0).name()
              + "' cannot be served: SMI has no traffic mirroring (the router does not offer"
              + " MIRROR_ROUTES)");
    }
    if (!intent.headerRoutes().isEmpty() && !version.hasMatches()) {
      throw new RouterException(
          "smi: header route '"
              + intent.headerRoutes().get(0).name()
              + "' needs TrafficSplit matches, which "
              + version.apiVersion()
              + " does not have (expected apiVersion v1alpha3 or v1alpha4)");
    }
    List<String> refusals = refusals(config, version, found);
    if (!refusals.isEmpty()) {
      throw new RouterException(String.join("; ", refusals));
    }
    Map<String, HeaderRoute> active = new LinkedHashMap<>();
    intent.headerRoutes().forEach(route -> active.put(route.name(), route));
    List<Changes.Write> groups = new ArrayList<>();
    List<Changes.Write> routeSplits = new ArrayList<>();
    List<ObjectRef> deletions = new ArrayList<>();
    if (version.hasMatches()) {
      for (String name : config.managedRoutes()) {
        ObjectRef group = config.routeGroup(version, name);
        ObjectRef split = config.routeSplit(version, name);
        Optional<Map<String, Object>> groupFound = find(found, group, config);
        Optional<Map<String, Object>> splitFound = find(found, split, config);
        HeaderRoute route = active.get(name);
        if (route == null) {
          // Only the rollout's own: an adopted name that was never written stays the user's.
          splitFound
              .filter(object -> ours(object, config))
              .ifPresent(object -> deletions.add(split));
          groupFound
              .filter(object -> ours(object, config))
              .ifPresent(object -> deletions.add(group));
          continue;
        }
        Map<String, Object> groupAfter = start(group, groupFound, config);
        groupAfter.put("spec", HttpRouteGroups.spec(route));
        change(group, groupFound, groupAfter).ifPresent(groups::add);
        Map<String, Object> splitAfter = start(split, splitFound, config);
        splitAfter.put("spec", routeSplitSpec(config, version, route, group));
        change(split, splitFound, splitAfter).ifPresent(routeSplits::add);
      }
    }
    List<Changes.Write> writes = new ArrayList<>(groups);
    writes.addAll(routeSplits);
    ObjectRef main = config.split(version);
    mainSplit(config, version, intent, find(found, main, config)).ifPresent(writes::add);
    return new Changes(writes, deletions);
  }

  /**
   * What the cluster needs once the rollout lets go: no header route, and the rollout's
   * TrafficSplit at {@code finalIntent}'s weights without experiment variants, or deleted with
   * {@code onRelease: delete}. Only objects marked as the rollout's are touched; nothing is
   * created.
   */
  static Changes forRelease(
      SmiConfig config,
      SplitVersion version,
      RouteIntent finalIntent,
      List<Map<String, Object>> found)
      throws RouterException {
    config.valid();
    RouteIntent bare =
        new RouteIntent(
            finalIntent.routing(),
            finalIntent.generation(),
            finalIntent.weights(),
            List.of(),
            List.of());
    List<ObjectRef> deletions = new ArrayList<>();
    if (version.hasMatches()) {
      for (String name : config.managedRoutes()) {
        for (ObjectRef ref :
            List.of(config.routeSplit(version, name), config.routeGroup(version, name))) {
          find(found, ref, config)
              .filter(object -> ours(object, config))
              .ifPresent(o -> deletions.add(ref));
        }
      }
    }
    ObjectRef main = config.split(version);
    Optional<Map<String, Object>> split =
        find(found, main, config).filter(object -> ours(object, config));
    List<Changes.Write> writes = new ArrayList<>();
    if (split.isPresent() && config.deleteOnRelease()) {
      deletions.add(main);
    } else if (split.isPresent()) {
      mainSplit(config, version, bare, split).ifPresent(writes::add);
    }
    return new Changes(writes, deletions);
  }

  /**
   * Why the rollout may not write the objects found under its names: each belongs to another
   * rollout, or was not created by Meshroll and the config does not say {@code adopt: true}.
   */
  static List<String> refusals(
      SmiConfig config, SplitVersion version, List<Map<String, Object>> found) {
    List<String> refusals = new ArrayList<>();
    for (ObjectRef ref : config.refs(version)) {
      Optional<Map<String, Object>> object = find(found, ref, config);
      if (object.isEmpty() || ours(object.get(), config)) {
        continue;
      }
      Object owner =
          Trees.at(object.get(), "metadata", "annotations") instanceof Map<?, ?> notes
              ? notes.get(OWNER_ANNOTATION)
              : null;
      if (owner != null) {
        refusals.add(
            "smi: "
                + ref
                + " belongs to rollout "
                + owner
                + " (annotation "
                + OWNER_ANNOTATION
                + "), not to "
                + config.rollout());
      } else if (!config.adopt()) {
        refusals.add(
            "smi: "
                + ref
                + " exists and was not created by Meshroll (set adopt: true to take it over)");
      }
    }
    return refusals;
  }

  /** The object {@code ref} names among {@code found}, as a copy in the namespace in force. */
  static Optional<Map<String, Object>> find(
      List<Map<String, Object>> found, ObjectRef ref, SmiConfig config) {
    return found.stream()
        .filter(ref::names)
        .findFirst()
        .map(
            object -> {
              Map<String, Object> copy = Trees.copy(object);
              Trees.child(copy, "metadata").putIfAbsent("namespace", config.namespace());
              return copy;
            });
  }

  private static boolean ours(Map<String, Object> object, SmiConfig config) {
    return Trees.at(object, "metadata", "annotations") instanceof Map<?, ?> notes
        && config.rollout().toString().equals(notes.get(OWNER_ANNOTATION));
  }

  private static Optional<Changes.Write> mainSplit(
      SmiConfig config,
      SplitVersion version,
      RouteIntent intent,
      Optional<Map<String, Object>> found) {
    ObjectRef ref = config.split(version);
    List<Map<String, Object>> backends = new ArrayList<>();
    for (String role : intent.routing().versions()) {
      int weight = intent.weightOf(role);
      boolean variant = !role.equals(RolloutRouting.STABLE) && !role.equals(RolloutRouting.CANARY);
      if (variant && weight == 0) {
        continue; // a variant's backend lives as long as its experiment
      }
      backends.add(backend(config.services().get(role), version.weight(weight)));
    }
    Map<String, Object> after = start(ref, found, config);
    Map<String, Object> spec = Trees.child(after, "spec");
    spec.put("service", config.rootService());
    boolean sameForm =
        found.isPresent() && version.apiVersion().equals(found.get().get("apiVersion"));
    if (!(sameForm && sameShares(spec.get("backends"), backends))) {
      spec.put("backends", backends);
    }
    return change(ref, found, after);
  }

  private static Map<String, Object> routeSplitSpec(
      SmiConfig config, SplitVersion version, HeaderRoute route, ObjectRef group) {
    Map<String, Object> match = new LinkedHashMap<>();
    match.put("kind", group.kind());
    match.put("name", group.name());
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("service", config.rootService());
    spec.put("matches", List.of(match));
    spec.put(
        "backends", List.of(backend(config.services().get(route.version()), version.weight(100))));
    return spec;
  }

  private static Map<String, Object> backend(String service, Object weight) {
    Map<String, Object> backend = new LinkedHashMap<>();
    backend.put("service", service);
    backend.put("weight", weight);
    return backend;
  }

  /**
   * {@code found} as a copy to edit, or a new object, in {@code ref}'s version and marked as the
   * rollout's: the managed-by label and the owner annotation.
   */
  private static Map<String, Object> start(
      ObjectRef ref, Optional<Map<String, Object>> found, SmiConfig config) {
    Map<String, Object> object = found.map(Trees::copy).orElseGet(LinkedHashMap::new);
    object.put("apiVersion", ref.apiVersion());
    object.put("kind", ref.kind());
    Map<String, Object> metadata = Trees.child(object, "metadata");
    metadata.put("name", ref.name());
    metadata.put("namespace", ref.namespace());
    Trees.child(metadata, "labels").put(MANAGED_BY_LABEL, MANAGER);
    Trees.child(metadata, "annotations").put(OWNER_ANNOTATION, config.rollout().toString());
    return object;
  }

  private static Optional<Changes.Write> change(
      ObjectRef ref, Optional<Map<String, Object>> found, Map<String, Object> after) {
    if (found.isPresent() && found.get().equals(after)) {
      return Optional.empty();
    }
    return Optional.of(new Changes.Write(ref, found, after, why(ref, found, after)));
  }

  private static String why(
      ObjectRef ref, Optional<Map<String, Object>> found, Map<String, Object> after) {
    if (found.isEmpty()) {
      return ref + " does not exist";
    }
    Map<String, Object> before = found.get();
    for (String field : List.of("backends", "service", "matches")) {
      Object was = Trees.at(before, "spec", field);
      Object wanted = Trees.at(after, "spec", field);
      if (!Objects.equals(was, wanted)) {
        return ref + " has " + field + " " + describe(was) + " (expected " + describe(wanted) + ")";
      }
    }
    if (!Objects.equals(before.get("metadata"), after.get("metadata"))) {
      return ref
          + " lacks the marks of a managed object (label "
          + MANAGED_BY_LABEL
          + ", annotation "
          + OWNER_ANNOTATION
          + ")";
    }
    return ref
        + " is at "
        + before.get("apiVersion")
        + " (expected "
        + after.get("apiVersion")
        + ")";
  }

  /** Backends as people read them, {@code [cart-stable=90, cart-canary=10]}; else as found. */
  private static String describe(Object value) {
    if (value instanceof List<?> list
        && list.stream()
            .allMatch(item -> item instanceof Map<?, ?> map && map.containsKey("weight"))) {
      return list.stream()
          .map(item -> ((Map<?, ?>) item).get("service") + "=" + ((Map<?, ?>) item).get("weight"))
          .collect(Collectors.joining(", ", "[", "]"));
    }
    return String.valueOf(value);
  }

  /**
   * Whether {@code found} sends each Service the same share of traffic as {@code wanted}: weights
   * are relative, so {@code 900m}/{@code 100m} serve 90/10 as well as {@code 90}/{@code 10} do.
   */
  private static boolean sameShares(Object found, List<Map<String, Object>> wanted) {
    Optional<Map<String, BigDecimal>> was = amounts(found);
    Optional<Map<String, BigDecimal>> want = amounts(wanted);
    if (was.isEmpty() || want.isEmpty() || !was.get().keySet().equals(want.get().keySet())) {
      return false;
    }
    BigDecimal wasTotal = total(was.get());
    BigDecimal wantTotal = total(want.get());
    if (wasTotal.signum() == 0 || wantTotal.signum() == 0) {
      return false;
    }
    return want.get().entrySet().stream()
        .allMatch(
            entry ->
                was.get()
                        .get(entry.getKey())
                        .multiply(wantTotal)
                        .compareTo(entry.getValue().multiply(wasTotal))
                    == 0);
  }

  /** Service to its total weight, if every backend names a Service and a readable weight. */
  private static Optional<Map<String, BigDecimal>> amounts(Object backends) {
    if (!(backends instanceof List<?> list)) {
      return Optional.empty();
    }
    Map<String, BigDecimal> amounts = new LinkedHashMap<>();
    for (Object item : list) {
      if (!(item instanceof Map<?, ?> backend)
          || !(backend.get("service") instanceof String name)) {
        return Optional.empty();
      }
      Optional<BigDecimal> amount = SplitVersion.amount(backend.get("weight"));
      if (amount.isEmpty()) {
        return Optional.empty();
      }
      amounts.merge(name, amount.get(), BigDecimal::add);
    }
    return Optional.of(amounts);
  }

  private static BigDecimal total(Map<String, BigDecimal> amounts) {
    return amounts.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
  }
}
