package dev.meshroll.istio;

import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.istio.IstioConfig.ObjectRef;
import dev.meshroll.istio.IstioConfig.VirtualServiceRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Istio objects of one rollout before and after an intent, in the order they must be written.
 * Pure: {@code apply} renders from live objects, {@code meshroll plan} from files.
 *
 * @param changes every configured object that was found, changed or not
 */
record Rendering(List<Change> changes) {

  /** One object as found and as it must be. */
  record Change(ObjectRef ref, Map<String, Object> before, Map<String, Object> after) {
    boolean changed() {
      return !Trees.same(before, after);
    }
  }

  /** The objects that differ from what was found, as they must be. */
  List<Map<String, Object>> written() {
    return changes.stream().filter(Change::changed).map(Change::after).toList();
  }

  /**
   * The objects serving {@code intent}. A DestinationRule comes first: a subset must exist before a
   * route sends traffic to it.
   *
   * @throws RouterException with every problem of the config and the objects
   */
  static Rendering forIntent(
      IstioConfig config, RouteIntent intent, List<Map<String, Object>> found)
      throws RouterException {
    List<ValidationProblem> problems = problems(config, intent.routing(), found);
    if (!problems.isEmpty()) {
      throw new RouterException(message(problems));
    }
    List<Change> changes = new ArrayList<>();
    if (config.destinationRule().isPresent()) {
      ObjectRef ref = config.destinationRule().get().ref();
      Map<String, Object> rule = find(found, ref).orElseThrow();
      changes.add(new Change(ref, rule, DestinationRules.withIntent(rule, config, intent, false)));
    }
    for (VirtualServiceRef vs : config.virtualServices()) {
      Map<String, Object> given = find(found, vs.ref()).orElseThrow();
      changes.add(
          new Change(vs.ref(), given, VirtualServices.withIntent(given, vs, config, intent)));
    }
    return new Rendering(changes);
  }

  /**
   * The objects once the rollout lets go: no managed route, no variant, the configured routes at
   * {@code finalIntent}'s weights. VirtualServices come first: no route may still send traffic to a
   * subset when it goes. Objects that no longer exist hold nothing to release and are skipped.
   */
  static Rendering forRelease(
      IstioConfig config, RouteIntent finalIntent, List<Map<String, Object>> found)
      throws RouterException {
    if (!config.problems().isEmpty()) {
      throw new RouterException(message(config.problems()));
    }
    RouteIntent bare =
        new RouteIntent(
            finalIntent.routing(),
            finalIntent.generation(),
            finalIntent.weights(),
            List.of(),
            List.of());
    List<Change> changes = new ArrayList<>();
    for (VirtualServiceRef vs : config.virtualServices()) {
      Optional<Map<String, Object>> given = find(found, vs.ref());
      if (given.isPresent()) {
        changes.add(
            new Change(
                vs.ref(), given.get(), VirtualServices.withIntent(given.get(), vs, config, bare)));
      }
    }
    if (config.destinationRule().isPresent()) {
      ObjectRef ref = config.destinationRule().get().ref();
      Optional<Map<String, Object>> rule = find(found, ref);
      if (rule.isPresent()) {
        changes.add(
            new Change(
                ref, rule.get(), DestinationRules.withIntent(rule.get(), config, bare, true)));
      }
    }
    return new Rendering(changes);
  }

  /** Every reason the config and the objects found cannot serve the rollout, all at once. */
  static List<ValidationProblem> problems(
      IstioConfig config, RolloutRouting routing, List<Map<String, Object>> found) {
    List<ValidationProblem> problems = new ArrayList<>(config.problems());
    boolean splitsHttp = false;
    boolean allSelected = !config.virtualServices().isEmpty();
    for (VirtualServiceRef vs : config.virtualServices()) {
      Optional<Map<String, Object>> given = find(found, vs.ref());
      if (given.isEmpty()) {
        problems.add(IstioConfig.problem(vs.field() + ".name", vs.ref() + " does not exist"));
        allSelected = false;
        continue;
      }
      List<ValidationProblem> own = VirtualServices.problems(given.get(), vs, config, routing);
      problems.addAll(own);
      allSelected &= own.isEmpty();
      splitsHttp |= VirtualServices.splitsHttp(given.get(), vs, config, routing);
    }
    // Only when every VirtualService's routes are known can it be said that none is HTTP.
    if (allSelected && !splitsHttp && !routing.managedRoutes().isEmpty()) {
      problems.add(
          IstioConfig.problem(
              "",
              "managedRoutes "
                  + routing.managedRoutes()
                  + " need an HTTP route, but no configured VirtualService splits one"));
    }
    if (config.destinationRule().isPresent()) {
      ObjectRef ref = config.destinationRule().get().ref();
      Optional<Map<String, Object>> rule = find(found, ref);
      if (rule.isEmpty()) {
        problems.add(IstioConfig.problem("destinationRule.name", ref + " does not exist"));
      } else {
        problems.addAll(DestinationRules.problems(rule.get(), config, routing));
      }
    }
    return problems;
  }

  /** Every object the config names, in the order {@link #forIntent} writes them. */
  static List<ObjectRef> refs(IstioConfig config) {
    List<ObjectRef> refs = new ArrayList<>();
    config.destinationRule().ifPresent(rule -> refs.add(rule.ref()));
    config.virtualServices().forEach(vs -> refs.add(vs.ref()));
    return refs;
  }

  /**
   * The object {@code ref} names among {@code objects}. Objects without a namespace (as files for
   * {@code meshroll plan} often have them) match any namespace, after those that have the right
   * one.
   */
  static Optional<Map<String, Object>> find(List<Map<String, Object>> objects, ObjectRef ref) {
    Optional<Map<String, Object>> loose = Optional.empty();
    for (Map<String, Object> object : objects) {
      Map<String, Object> metadata = Trees.map(object, "metadata");
      if (!ref.kind().equals(object.get("kind"))
          || !Trees.text(object, "apiVersion").orElse("").startsWith("networking.istio.io/")
          || !ref.name().equals(metadata.get("name"))) {
        continue;
      }
      Optional<String> namespace = Trees.text(metadata, "namespace");
      if (namespace.isEmpty() && loose.isEmpty()) {
        loose = Optional.of(object);
      } else if (namespace.isPresent() && namespace.get().equals(ref.namespace())) {
        return Optional.of(object);
      }
    }
    return loose;
  }

  /** The problems as one message, for a {@link RouterException}. */
  static String message(List<ValidationProblem> problems) {
    return problems.stream().map(ValidationProblem::message).collect(Collectors.joining("; "));
  }
}
