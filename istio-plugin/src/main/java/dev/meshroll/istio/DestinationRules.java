package dev.meshroll.istio;

import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.istio.IstioConfig.DestinationRuleRef;
import dev.meshroll.istio.IstioConfig.Target;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A DestinationRule as it must be for a rollout. Pure: no client, no clock, no logging.
 *
 * <p>It is mostly read: the subsets the config names must exist. The plugin writes only the subsets
 * of versions configured with {@code labels} (typically experiment variants), from the first apply
 * until release; trafficPolicy and every other subset stay as found.
 */
final class DestinationRules {
  private DestinationRules() {}

  /** The subsets the config names that {@code rule} lacks, all at once. */
  static List<ValidationProblem> problems(
      Map<String, Object> rule, IstioConfig config, RolloutRouting routing) {
    List<ValidationProblem> problems = new ArrayList<>();
    DestinationRuleRef ref = config.destinationRule().orElseThrow();
    List<String> subsets = names(rule);
    Map<String, String> wanted = new LinkedHashMap<>();
    Map<String, Object> explicit = Trees.map(routing.config(), "versions");
    config
        .targets()
        .forEach(
            (role, target) -> {
              if (target.subset().isPresent() && target.labels().isEmpty()) {
                String field =
                    explicit.containsKey(role)
                        ? "versions." + role + ".subset"
                        : "destinationRule." + role + "SubsetName";
                wanted.putIfAbsent(target.subset().get(), field);
              }
            });
    for (int i = 0; i < ref.additionalSubsets().size(); i++) {
      wanted.putIfAbsent(
          ref.additionalSubsets().get(i), "destinationRule.additionalSubsetNames[" + i + "]");
    }
    wanted.forEach(
        (subset, field) -> {
          if (!subsets.contains(subset)) {
            problems.add(
                IstioConfig.problem(
                    field,
                    ref.ref()
                        + " has no subset '"
                        + subset
                        + "' (expected one of: "
                        + subsets
                        + ")"));
          }
        });
    return problems;
  }

  /**
   * {@code given} with the subsets the plugin owns: present while the rollout runs; on release,
   * only those of versions that keep traffic.
   *
   * @throws RouterException when the result would be refused: a subset without a name, two of one
   *     name, no host
   */
  static Map<String, Object> withIntent(
      Map<String, Object> given, IstioConfig config, RouteIntent intent, boolean release)
      throws RouterException {
    Map<String, Object> rule = Trees.copy(given);
    if (!(rule.get("spec") instanceof Map)) {
      rule.put("spec", new LinkedHashMap<String, Object>());
    }
    Map<String, Object> spec = Trees.map(rule, "spec");
    List<Map<String, Object>> subsets = Trees.maps(spec, "subsets");
    boolean changed = false;
    for (Map.Entry<String, Target> role : config.targets().entrySet()) {
      Target target = role.getValue();
      if (target.labels().isEmpty()) {
        continue;
      }
      String name = target.subset().orElseThrow();
      Optional<Map<String, Object>> found =
          subsets.stream().filter(s -> name.equals(Trees.text(s, "name").orElse(""))).findFirst();
      if (release && intent.weightOf(role.getKey()) == 0) {
        changed |= found.isPresent();
        found.ifPresent(subsets::remove);
      } else if (found.isPresent()) {
        found.get().put("labels", new LinkedHashMap<>(target.labels()));
        changed = true;
      } else {
        Map<String, Object> subset = new LinkedHashMap<>();
        subset.put("name", name);
        subset.put("labels", new LinkedHashMap<>(target.labels()));
        subsets.add(subset);
        changed = true;
      }
    }
    if (changed) {
      spec.put("subsets", subsets);
    }
    List<String> refusals = new ArrayList<>();
    if (Trees.text(spec, "host").isEmpty()) {
      refusals.add("it has no host");
    }
    Set<String> seen = new HashSet<>();
    for (Map<String, Object> subset : subsets) {
      String name = Trees.text(subset, "name").orElse("");
      if (name.isEmpty()) {
        refusals.add("a subset has no name");
      } else if (!seen.add(name)) {
        refusals.add("two subsets are named '" + name + "'");
      }
    }
    if (!refusals.isEmpty()) {
      throw new RouterException(
          "istio: refusing to write "
              + config.destinationRule().orElseThrow().ref()
              + ": "
              + String.join("; ", refusals));
    }
    return rule;
  }

  private static List<String> names(Map<String, Object> rule) {
    List<String> names = new ArrayList<>();
    Trees.maps(Trees.map(rule, "spec"), "subsets")
        .forEach(subset -> Trees.text(subset, "name").ifPresent(names::add));
    return names;
  }
}
