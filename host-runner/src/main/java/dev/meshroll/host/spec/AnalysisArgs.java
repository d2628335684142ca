package dev.meshroll.host.spec;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.spec.Fields.Item;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads the {@code args} a rollout gives its analyses: a literal {@code value}, or a {@code
 * valueFrom} the rollout itself answers, so that a query names what is being rolled out without
 * repeating it: {@code {rollout: name}}, {@code {rollout: namespace}}, or {@code {version: canary}}
 * (the version's target: its Service, else the {@code versions} entry of its routers; {@code
 * router: xds} picks one router's).
 */
final class AnalysisArgs {
  private final Optional<RolloutRef> rollout;
  private final Map<String, String> services;
  private final Map<String, Map<String, Object>> routers;

  AnalysisArgs(
      Optional<RolloutRef> rollout,
      Map<String, String> services,
      Map<String, Map<String, Object>> routers) {
    this.rollout = rollout;
    this.services = services;
    this.routers = routers;
  }

  /** The {@code args} list of {@code parent}, each name with its value. */
  Map<String, String> read(Fields parent) {
    Map<String, String> args = new LinkedHashMap<>();
    for (Item item : parent.list("args")) {
      Fields.of(parent.problems(), item.path(), item.node(), List.of("name", "value", "valueFrom"))
          .ifPresent(
              arg -> {
                Optional<String> name = arg.requiredString("name");
                Optional<String> value;
                if (arg.has("value") == arg.has("valueFrom")) {
                  arg.problems().add(arg.path(), "needs exactly one of value or valueFrom");
                  value = Optional.empty();
                } else if (arg.has("value")) {
                  value = arg.string("value");
                } else {
                  value =
                      arg.object("valueFrom", List.of("rollout", "version", "router"))
                          .flatMap(this::valueFrom);
                }
                if (name.isPresent() && args.containsKey(name.get())) {
                  parent.problems().add(arg.pathOf("name"), "'" + name.get() + "' is given twice");
                } else if (name.isPresent() && value.isPresent()) {
                  args.put(name.get(), value.get());
                }
              });
    }
    return args;
  }

  private Optional<String> valueFrom(Fields from) {
    if (from.has("rollout") == from.has("version")) {
      from.problems().add(from.path(), "needs exactly one of rollout or version");
      return Optional.empty();
    }
    if (from.has("rollout")) {
      if (from.has("router")) {
        from.problems().add(from.pathOf("router"), "goes with version, not rollout");
      }
      Optional<String> field = from.choice("rollout", List.of("name", "namespace"));
      return field.flatMap(
          f -> rollout.map(ref -> f.equals("name") ? ref.name() : ref.namespace()));
    }
    Optional<String> role = from.string("version");
    Optional<String> router = from.string("router");
    if (role.isEmpty() || (from.has("router") && router.isEmpty())) {
      return Optional.empty();
    }
    return target(from, role.get(), router);
  }

  /** The target of version {@code role}, or a problem saying why there is none. */
  private Optional<String> target(Fields from, String role, Optional<String> router) {
    if (router.isPresent()) {
      Map<String, Object> config = routers.get(router.get());
      if (config == null) {
        from.problems()
            .add(
                from.pathOf("router"),
                "'" + router.get() + "' is not one of this rollout's routers " + routers.keySet());
        return Optional.empty();
      }
      Object target = versions(config).get(role);
      if (target instanceof String text) {
        return Optional.of(text);
      }
      from.problems()
          .add(
              from.pathOf("version"),
              "trafficRouting."
                  + router.get()
                  + ".versions has no plain target for '"
                  + role
                  + "'"
                  + (target == null ? "" : " (it is " + target + ")"));
      return Optional.empty();
    }
    if (services.containsKey(role)) {
      return Optional.of(services.get(role));
    }
    Map<String, String> byRouter = new TreeMap<>();
    routers.forEach(
        (id, config) -> {
          if (versions(config).get(role) instanceof String text) {
            byRouter.put(id, text);
          }
        });
    if (byRouter.isEmpty()) {
      from.problems()
          .add(
              from.pathOf("version"),
              "'"
                  + role
                  + "' has no target here: give the strategy its Service (e.g. canaryService) or"
                  + " trafficRouting.ROUTER.versions."
                  + role);
      return Optional.empty();
    }
    if (byRouter.values().stream().distinct().count() > 1) {
      from.problems()
          .add(
              from.pathOf("version"),
              "the routers give '"
                  + role
                  + "' different targets "
                  + byRouter
                  + ": name one with router");
      return Optional.empty();
    }
    return Optional.of(byRouter.values().iterator().next());
  }

  private static Map<?, ?> versions(Map<String, Object> routerConfig) {
    return routerConfig.get("versions") instanceof Map<?, ?> versions ? versions : Map.of();
  }
}
