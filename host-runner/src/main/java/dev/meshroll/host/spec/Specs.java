package dev.meshroll.host.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.RequestMatch;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.StringMatch;
import dev.meshroll.api.Suggestions;
import dev.meshroll.host.analysis.AnalysisSetup;
import dev.meshroll.host.analysis.Condition;
import dev.meshroll.host.spec.Fields.Item;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Rollout and AnalysisTemplate documents into records, reporting every problem at once. */
final class Specs {
  static final String API_VERSION = "meshroll.dev/v1alpha1";

  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  /** Kubernetes object names (RFC 1123 labels), for rollouts, namespaces and templates. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private static final List<String> KINDS = List.of("Rollout", "Experiment", "AnalysisTemplate");
  private static final List<String> ROOT = List.of("apiVersion", "kind", "metadata", "spec");
  private static final List<String> METADATA =
      List.of("name", "namespace", "labels", "annotations");
  private static final List<String> CANARY =
      List.of(
          "canaryService", "stableService", "trafficRouting", "analysis", "steps", "adoptStable");
  private static final List<String> BLUE_GREEN =
      List.of(
          "activeService",
          "previewService",
          "trafficRouting",
          "previewRoute",
          "autoPromotionEnabled",
          "autoPromotionSeconds",
          "prePromotionAnalysis",
          "postPromotionAnalysis",
          "rollbackWindowSeconds",
          "adoptStable");
  private static final List<String> STEP_KINDS =
      List.of("setWeight", "pause", "setHeaderRoute", "setMirrorRoute", "analysis", "experiment");
  private static final List<String> STRING_MATCH = List.of("exact", "prefix", "regex");
  private static final List<String> METRIC =
      List.of(
          "name",
          "provider",
          "interval",
          "count",
          "initialDelay",
          "successCondition",
          "failureCondition",
          "failureLimit",
          "inconclusiveLimit",
          "consecutiveErrorLimit",
          "noData",
          "minSamples",
          "dryRun");

  private Specs() {}

  static SpecFile parse(String file, String yaml) {
    List<JsonNode> documents = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(yaml)) {
      while (parser.nextToken() != null) {
        documents.add(YAML.readTree(parser));
      }
    } catch (IOException | RuntimeException e) {
      // The YAML parser's own failures (syntax, duplicate keys, nesting and alias limits).
      return new SpecFile(
          file,
          List.of(),
          List.of(),
          List.of(new SpecProblem(file, where(e), "not valid YAML: " + reason(e))));
    }
    documents.removeIf(
        document -> document == null || document.isNull() || document.isMissingNode());
    if (documents.isEmpty()) {
      return new SpecFile(
          file,
          List.of(),
          List.of(),
          List.of(new SpecProblem(file, "(document)", "holds no document")));
    }
    List<RolloutSpec> rollouts = new ArrayList<>();
    List<AnalysisTemplate> templates = new ArrayList<>();
    List<SpecProblem> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < documents.size(); i++) {
      String name = documents.size() == 1 ? file : file + " (document " + (i + 1) + ")";
      Problems found = new Problems(name);
      readDocument(name, documents.get(i), found, rollouts, templates, seen);
      problems.addAll(found.list());
    }
    return new SpecFile(file, rollouts, templates, problems);
  }

  private static String where(Exception e) {
    if (e instanceof JsonProcessingException json && json.getLocation() != null) {
      JsonLocation location = json.getLocation();
      return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
    return "(document)";
  }

  private static String reason(Exception e) {
    String message =
        e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    message = message == null ? e.getClass().getSimpleName() : message;
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static void readDocument(
      String file,
      JsonNode document,
      Problems problems,
      List<RolloutSpec> rollouts,
      List<AnalysisTemplate> templates,
      Set<String> seen) {
    Optional<Fields> root = Fields.of(problems, "", document, ROOT);
    if (root.isEmpty()) {
      return;
    }
    Fields fields = root.get();
    fields
        .requiredString("apiVersion")
        .filter(version -> !version.equals(API_VERSION))
        .ifPresent(
            version -> problems.add("apiVersion", "'" + version + "' is not " + API_VERSION));
    Optional<String> kind = fields.requiredString("kind");
    Optional<RolloutRef> ref = metadata(fields);
    if (!fields.require("spec") || kind.isEmpty()) {
      return;
    }
    int before = problems.count();
    switch (kind.get()) {
      case "Rollout" -> {
        Optional<Strategy> strategy = rolloutSpec(fields, ref);
        if (problems.count() == before && ref.isPresent() && strategy.isPresent()) {
          rollouts.add(
              new RolloutSpec(file, ref.get(), revision(fields.raw("spec")), strategy.get()));
        }
      }
      case "Experiment" -> {
        Optional<Strategy> experiment =
            fields
                .object(
                    "spec",
                    List.of("trafficRouting", "duration", "variants", "analyses", "adoptStable"))
                .flatMap(spec -> experimentSpec(spec, ref));
        if (problems.count() == before && ref.isPresent() && experiment.isPresent()) {
          rollouts.add(
              new RolloutSpec(file, ref.get(), revision(fields.raw("spec")), experiment.get()));
        }
      }
      case "AnalysisTemplate" -> {
        Optional<List<AnalysisTemplate.Arg>> args = Optional.empty();
        List<AnalysisTemplate.Metric> metrics = new ArrayList<>();
        Optional<Fields> spec = fields.object("spec", List.of("args", "metrics"));
        if (spec.isPresent()) {
          args = Optional.of(templateArgs(spec.get()));
          metrics = metrics(spec.get(), args.get());
        }
        if (problems.count() == before && ref.isPresent() && args.isPresent()) {
          templates.add(new AnalysisTemplate(file, ref.get(), args.get(), metrics));
        }
      }
      default ->
          problems.add(
              "kind",
              Suggestions.nearest(kind.get(), KINDS)
                  .map(
                      near ->
                          "'" + kind.get() + "' is not a known kind (did you mean '" + near + "'?)")
                  .orElse(
                      "'"
                          + kind.get()
                          + "' is not a known kind (expected one of "
                          + String.join(", ", KINDS)
                          + ")"));
    }
    ref.ifPresent(
        r -> {
          if (!seen.add(kind.get() + " " + r)) {
            problems.add("metadata.name", kind.get() + " " + r + " appears twice in this file");
          }
        });
  }

  private static Optional<RolloutRef> metadata(Fields root) {
    if (!root.require("metadata")) {
      return Optional.empty();
    }
    Optional<Fields> metadata = root.object("metadata", METADATA);
    if (metadata.isEmpty()) {
      return Optional.empty();
    }
    Fields fields = metadata.get();
    fields.stringMap("labels");
    fields.stringMap("annotations");
    Optional<String> name = fields.requiredString("name").flatMap(n -> name(fields, "name", n));
    Optional<String> namespace =
        fields.has("namespace")
            ? fields.string("namespace").flatMap(n -> name(fields, "namespace", n))
            : Optional.of("default");
    return name.isPresent() && namespace.isPresent()
        ? Optional.of(new RolloutRef(namespace.get(), name.get()))
        : Optional.empty();
  }

  private static Optional<String> name(Fields fields, String key, String value) {
    if (value.length() > 63 || !NAME.matcher(value).matches()) {
      fields
          .problems()
          .add(
              fields.pathOf(key),
              "'"
                  + value
                  + "' is not a valid name (at most 63 lower-case letters, digits and '-',"
                  + " starting and ending with a letter or digit)");
      return Optional.empty();
    }
    return Optional.of(value);
  }

  // ---- Rollout

  private static Optional<Strategy> rolloutSpec(Fields root, Optional<RolloutRef> ref) {
    Optional<Fields> spec = root.object("spec", List.of("strategy"));
    if (spec.isEmpty() || !spec.get().require("strategy")) {
      return Optional.empty();
    }
    Optional<Fields> strategy = spec.get().object("strategy", List.of("canary", "blueGreen"));
    if (strategy.isEmpty()) {
      return Optional.empty();
    }
    Fields fields = strategy.get();
    if (fields.has("canary") == fields.has("blueGreen")) {
      fields.problems().add(fields.path(), "needs exactly one of canary or blueGreen");
      return Optional.empty();
    }
    return fields.has("canary")
        ? fields.object("canary", CANARY).flatMap(canary -> canary(canary, ref))
        : fields.object("blueGreen", BLUE_GREEN).flatMap(blueGreen -> blueGreen(blueGreen, ref));
  }

  private static Optional<Strategy> canary(Fields fields, Optional<RolloutRef> ref) {
    Map<String, String> services = services(fields, "stableService", "canaryService");
    Optional<TrafficRouting> routing = trafficRouting(fields);
    AnalysisArgs args = analysisArgs(ref, services, routing);
    RouteKinds kinds = new RouteKinds(routing.map(TrafficRouting::managedRoutes).orElse(List.of()));
    List<Step> steps = new ArrayList<>();
    int canaryWeight = 0;
    List<Item> items = fields.list("steps");
    for (Item item : items) {
      Optional<Step> step = step(fields.problems(), item, kinds, canaryWeight, args);
      step.ifPresent(steps::add);
      if (step.orElse(null) instanceof Step.SetWeight setWeight) {
        canaryWeight = setWeight.weight();
      }
    }
    Optional<Strategy.BackgroundAnalysis> background = background(fields, items.size(), args);
    boolean adoptStable = fields.bool("adoptStable").orElse(false);
    return routing.map(r -> new Strategy.Canary(services, r, steps, background, adoptStable));
  }

  /** A standalone experiment: the experiment step's fields beside a trafficRouting block. */
  private static Optional<Strategy> experimentSpec(Fields spec, Optional<RolloutRef> ref) {
    Optional<TrafficRouting> routing = trafficRouting(spec);
    RouteKinds kinds = new RouteKinds(routing.map(TrafficRouting::managedRoutes).orElse(List.of()));
    Optional<Step> experiment = experiment(spec, 0, kinds, analysisArgs(ref, Map.of(), routing));
    return routing.flatMap(
        r ->
            experiment.map(
                e ->
                    new Strategy.Experiment(
                        r, (Step.Experiment) e, spec.bool("adoptStable").orElse(false))));
  }

  private static Optional<Strategy.BackgroundAnalysis> background(
      Fields canary, int stepCount, AnalysisArgs args) {
    if (!canary.has("analysis")) {
      return Optional.empty();
    }
    return canary
        .object("analysis", List.of("templates", "args", "startingStep"))
        .flatMap(
            analysis -> {
              Optional<AnalysisRef> ref = analysisRef(analysis, args);
              int startingStep =
                  analysis.integer("startingStep", 0, Math.max(0, stepCount - 1)).orElse(0);
              return ref.map(r -> new Strategy.BackgroundAnalysis(r, startingStep));
            });
  }

  private static Optional<Strategy> blueGreen(Fields fields, Optional<RolloutRef> ref) {
    Map<String, String> services = services(fields, "activeService", "previewService");
    Optional<TrafficRouting> routing = trafficRouting(fields);
    AnalysisArgs args = analysisArgs(ref, services, routing);
    RouteKinds kinds = new RouteKinds(routing.map(TrafficRouting::managedRoutes).orElse(List.of()));
    Optional<Strategy.PreviewRoute> preview = Optional.empty();
    if (fields.has("previewRoute")) {
      preview =
          fields
              .object("previewRoute", List.of("name", "match"))
              .flatMap(
                  route -> {
                    Optional<String> name = kinds.claim(route, "header");
                    int before = route.problems().count();
                    List<HeaderMatch> match = headerMatches(route);
                    // A match refused for its own reason is not also missing.
                    if (route.has("name")
                        && match.isEmpty()
                        && route.problems().count() == before) {
                      route
                          .problems()
                          .add(route.pathOf("match"), "needs at least one header match");
                    }
                    return name.filter(n -> !match.isEmpty())
                        .map(n -> new Strategy.PreviewRoute(n, match));
                  });
    }
    boolean autoPromotion = fields.bool("autoPromotionEnabled").orElse(true);
    Duration delay =
        fields
            .integer("autoPromotionSeconds", 0, (int) Fields.LONGEST.toSeconds())
            .map(Duration::ofSeconds)
            .orElse(Duration.ZERO);
    if (!autoPromotion && fields.has("autoPromotionSeconds")) {
      fields
          .problems()
          .add(
              fields.pathOf("autoPromotionSeconds"),
              "has no effect when autoPromotionEnabled is false");
    }
    Optional<AnalysisRef> pre = optionalAnalysis(fields, "prePromotionAnalysis", args);
    Optional<AnalysisRef> post = optionalAnalysis(fields, "postPromotionAnalysis", args);
    Duration window =
        fields
            .integer("rollbackWindowSeconds", 0, (int) Fields.LONGEST.toSeconds())
            .map(Duration::ofSeconds)
            .orElse(Duration.ZERO);
    Optional<Strategy.PreviewRoute> previewRoute = preview;
    boolean adoptStable = fields.bool("adoptStable").orElse(false);
    return routing.map(
        r ->
            new Strategy.BlueGreen(
                services, r, previewRoute, autoPromotion, delay, pre, post, window, adoptStable));
  }

  private static Optional<AnalysisRef> optionalAnalysis(
      Fields fields, String key, AnalysisArgs args) {
    if (!fields.has(key)) {
      return Optional.empty();
    }
    return fields
        .object(key, List.of("templates", "args"))
        .flatMap(analysis -> analysisRef(analysis, args));
  }

  private static AnalysisArgs analysisArgs(
      Optional<RolloutRef> ref, Map<String, String> services, Optional<TrafficRouting> routing) {
    return new AnalysisArgs(ref, services, routing.map(TrafficRouting::routers).orElse(Map.of()));
  }

  private static Map<String, String> services(Fields fields, String stableKey, String canaryKey) {
    Map<String, String> services = new LinkedHashMap<>();
    fields.string(stableKey).ifPresent(s -> services.put(RolloutRouting.STABLE, s));
    fields.string(canaryKey).ifPresent(s -> services.put(RolloutRouting.CANARY, s));
    if (services.size() == 2
        && services.get(RolloutRouting.STABLE).equals(services.get(RolloutRouting.CANARY))) {
      fields.problems().add(fields.pathOf(canaryKey), "must differ from " + stableKey);
    }
    return services;
  }

  private static Optional<TrafficRouting> trafficRouting(Fields strategy) {
    if (!strategy.require("trafficRouting")) {
      return Optional.empty();
    }
    JsonNode node = strategy.raw("trafficRouting");
    String path = strategy.pathOf("trafficRouting");
    Problems problems = strategy.problems();
    if (!node.isObject()) {
      problems.add(path, "expected a mapping, got " + Fields.describe(node));
      return Optional.empty();
    }
    List<String> managed = new ArrayList<>();
    Map<String, Map<String, Object>> routers = new LinkedHashMap<>();
    var entries = node.fields();
    while (entries.hasNext()) {
      var entry = entries.next();
      String key = entry.getKey();
      String keyPath = path + "." + key;
      if (key.equals("managedRoutes")) {
        managedRoutes(problems, keyPath, entry.getValue(), managed);
      } else if (!NAME.matcher(key).matches()) {
        problems.add(
            keyPath, "is neither managedRoutes nor a router id (lower-case letters, digits, '-')");
      } else if (!entry.getValue().isObject()) {
        problems.add(
            keyPath,
            "expected the router's config mapping, got " + Fields.describe(entry.getValue()));
      } else {
        routers.put(key, toTree(entry.getValue()));
      }
    }
    if (routers.isEmpty()) {
      problems.add(
          path, "names no router (expected a block per router, such as xds, istio or smi)");
    }
    return Optional.of(new TrafficRouting(managed, routers));
  }

  private static void managedRoutes(
      Problems problems, String path, JsonNode node, List<String> names) {
    if (!node.isArray()) {
      problems.add(path, "expected a list, got " + Fields.describe(node));
      return;
    }
    for (int i = 0; i < node.size(); i++) {
      String itemPath = path + "[" + i + "]";
      Fields.of(problems, itemPath, node.get(i), List.of("name"))
          .flatMap(route -> route.requiredString("name"))
          .ifPresent(
              name -> {
                if (name.isBlank()) {
                  problems.add(itemPath + ".name", "must not be blank");
                } else if (names.contains(name)) {
                  problems.add(itemPath + ".name", "'" + name + "' is listed twice");
                } else {
                  names.add(name);
                }
              });
    }
  }

  /** Which managed route names the steps use, and for what: one name is one kind of route. */
  private static final class RouteKinds {
    private final List<String> managed;
    private final Map<String, String> kindByName = new HashMap<>();

    RouteKinds(List<String> managed) {
      this.managed = managed;
    }

    /** Reads {@code name} and checks that it is a managed route used only as {@code kind}. */
    Optional<String> claim(Fields fields, String kind) {
      Optional<String> name = fields.requiredString("name");
      if (name.isEmpty()) {
        return name;
      }
      if (!managed.contains(name.get())) {
        fields
            .problems()
            .add(
                fields.pathOf("name"),
                "'" + name.get() + "' is not in trafficRouting.managedRoutes " + managed);
        return Optional.empty();
      }
      String previous = kindByName.putIfAbsent(name.get(), kind);
      if (previous != null && !previous.equals(kind)) {
        fields
            .problems()
            .add(
                fields.pathOf("name"),
                "'"
                    + name.get()
                    + "' is already a "
                    + previous
                    + " route; a "
                    + kind
                    + " route needs a name of its own");
        return Optional.empty();
      }
      return name;
    }
  }

  private static Optional<Step> step(
      Problems problems, Item item, RouteKinds kinds, int canaryWeight, AnalysisArgs args) {
    Optional<Fields> read = Fields.of(problems, item.path(), item.node(), STEP_KINDS);
    if (read.isEmpty()) {
      return Optional.empty();
    }
    Fields step = read.get();
    List<String> present = STEP_KINDS.stream().filter(kind -> step.raw(kind) != null).toList();
    if (present.size() != 1) {
      problems.add(
          item.path(),
          present.isEmpty()
              ? "needs one of: " + String.join(", ", STEP_KINDS)
              : "holds " + String.join(" and ", present) + "; a step does one thing");
      return Optional.empty();
    }
    return switch (present.get(0)) {
      case "setWeight" -> step.integer("setWeight", 0, 100).map(Step.SetWeight::new);
      case "pause" ->
          step.object("pause", List.of("duration"))
              .map(pause -> new Step.Pause(pause.duration("duration")));
      case "setHeaderRoute" ->
          step.object("setHeaderRoute", List.of("name", "match"))
              .flatMap(
                  route -> {
                    Optional<String> name = kinds.claim(route, "header");
                    List<HeaderMatch> match = headerMatches(route);
                    return name.map(n -> new Step.SetHeaderRoute(n, match));
                  });
      case "setMirrorRoute" ->
          step.object("setMirrorRoute", List.of("name", "percentage", "match"))
              .flatMap(
                  route -> {
                    Optional<String> name = kinds.claim(route, "mirror");
                    int percentage = route.integer("percentage", 0, 100).orElse(100);
                    List<RequestMatch> match = requestMatches(route);
                    return name.map(n -> new Step.SetMirrorRoute(n, percentage, match));
                  });
      case "analysis" ->
          step.object("analysis", List.of("templates", "args"))
              .flatMap(analysis -> analysisRef(analysis, args))
              .map(Step.Analysis::new);
      case "experiment" ->
          step.object("experiment", List.of("duration", "variants", "analyses"))
              .flatMap(experiment -> experiment(experiment, canaryWeight, kinds, args));
      default -> throw new AssertionError(present.get(0));
    };
  }

  private static List<HeaderMatch> headerMatches(Fields route) {
    List<HeaderMatch> matches = new ArrayList<>();
    for (Item item : route.list("match")) {
      Fields.of(route.problems(), item.path(), item.node(), List.of("headerName", "headerValue"))
          .ifPresent(
              match -> {
                Optional<String> name = match.requiredString("headerName");
                name.filter(String::isBlank)
                    .ifPresent(
                        blank ->
                            match.problems().add(match.pathOf("headerName"), "must not be blank"));
                Optional<StringMatch> value =
                    match.require("headerValue")
                        ? stringMatch(match, "headerValue")
                        : Optional.empty();
                if (name.isPresent() && !name.get().isBlank() && value.isPresent()) {
                  matches.add(new HeaderMatch(name.get(), value.get()));
                }
              });
    }
    return matches;
  }

  private static List<RequestMatch> requestMatches(Fields route) {
    List<RequestMatch> matches = new ArrayList<>();
    for (Item item : route.list("match")) {
      Fields.of(route.problems(), item.path(), item.node(), List.of("method", "path", "headers"))
          .ifPresent(
              match -> {
                int before = match.problems().count();
                Optional<StringMatch> method = stringMatch(match, "method");
                Optional<StringMatch> path = stringMatch(match, "path");
                Map<String, StringMatch> headers = new LinkedHashMap<>();
                JsonNode headerNode = match.raw("headers");
                if (match.has("headers") && !headerNode.isObject()) {
                  match
                      .problems()
                      .add(
                          match.pathOf("headers"),
                          "expected a mapping, got " + Fields.describe(headerNode));
                } else if (match.has("headers")) {
                  Fields.of(
                          match.problems(),
                          match.pathOf("headers"),
                          headerNode,
                          fieldNames(headerNode))
                      .ifPresent(
                          fields ->
                              fieldNames(headerNode)
                                  .forEach(
                                      header ->
                                          stringMatch(fields, header)
                                              .ifPresent(value -> headers.put(header, value))));
                }
                if (match.problems().count() > before) {
                  return;
                }
                if (method.isEmpty() && path.isEmpty() && headers.isEmpty()) {
                  match.problems().add(item.path(), "needs a method, a path or headers to match");
                  return;
                }
                matches.add(new RequestMatch(method, path, headers));
              });
    }
    return matches;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** {@code {exact: v}}, {@code {prefix: v}} or {@code {regex: v}}; empty when absent. */
  private static Optional<StringMatch> stringMatch(Fields parent, String key) {
    if (!parent.has(key)) {
      return Optional.empty();
    }
    Optional<Fields> read = parent.object(key, STRING_MATCH);
    if (read.isEmpty()) {
      return Optional.empty();
    }
    Fields match = read.get();
    List<String> present = STRING_MATCH.stream().filter(match::has).toList();
    if (present.size() != 1) {
      parent.problems().add(parent.pathOf(key), "needs exactly one of exact, prefix or regex");
      return Optional.empty();
    }
    String kind = present.get(0);
    Optional<String> value = match.string(kind);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    if (value.get().isEmpty()) {
      parent.problems().add(match.pathOf(kind), "must not be empty");
      return Optional.empty();
    }
    Optional<String> re2Error = kind.equals("regex") ? re2Error(value.get()) : Optional.empty();
    if (re2Error.isPresent()) {
      parent
          .problems()
          .add(
              match.pathOf(kind),
              "'"
                  + value.get()
                  + "' is not a valid RE2 regular expression (as Envoy and gRPC read it): "
                  + re2Error.get());
      return Optional.empty();
    }
    return Optional.of(new StringMatch(StringMatch.Kind.valueOf(kind.toUpperCase()), value.get()));
  }

  /**
   * Why RE2 refuses a regex, in RE2/J's words; empty when it compiles. Envoy and gRPC compile
   * regexes with RE2, which has no lookaround or back-references and reads {@code (?P<name>...)};
   * Java's engine would let the first through to the fleet and refuse the second.
   */
  private static Optional<String> re2Error(String regex) {
    try {
      // Qualified: this file imports java.util.regex.Pattern for object names.
      com.google.re2j.Pattern.compile(regex);
      return Optional.empty();
    } catch (com.google.re2j.PatternSyntaxException e) {
      String fragment = e.getPattern();
      return Optional.of(
          fragment == null || fragment.isEmpty()
              ? e.getDescription()
              : e.getDescription() + ": `" + fragment + "`");
    }
  }

  private static Optional<Step> experiment(
      Fields experiment, int canaryWeight, RouteKinds kinds, AnalysisArgs analysisArgs) {
    Problems problems = experiment.problems();
    int before = problems.count();
    Optional<Duration> duration =
        experiment.require("duration") ? experiment.duration("duration") : Optional.empty();
    duration
        .filter(Duration::isZero)
        .ifPresent(zero -> problems.add(experiment.pathOf("duration"), "must be longer than 0s"));
    List<Step.Variant> variants = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<Item> items = experiment.list("variants");
    if (experiment.require("variants") && items.isEmpty() && experiment.raw("variants").isArray()) {
      problems.add(experiment.pathOf("variants"), "needs at least one variant");
    }
    for (Item item : items) {
      Fields.of(problems, item.path(), item.node(), List.of("name", "version", "weight", "match"))
          .ifPresent(
              variant -> {
                Optional<String> name =
                    variant.requiredString("name").flatMap(n -> name(variant, "name", n));
                name.filter(n -> n.equals(RolloutRouting.STABLE) || n.equals(RolloutRouting.CANARY))
                    .ifPresent(
                        n ->
                            problems.add(
                                variant.pathOf("name"),
                                "'" + n + "' is a version role; name the variant otherwise"));
                name.filter(n -> !names.add(n))
                    .ifPresent(
                        n ->
                            problems.add(variant.pathOf("name"), "'" + n + "' names two variants"));
                Optional<String> version = variant.requiredString("version");
                version
                    .filter(
                        v -> !v.equals(RolloutRouting.STABLE) && !v.equals(RolloutRouting.CANARY))
                    .ifPresent(
                        v ->
                            problems.add(
                                variant.pathOf("version"),
                                "'" + v + "' is neither stable nor canary"));
                // A variant routed by header is a managed route named after it.
                List<HeaderMatch> match = List.of();
                if (variant.has("match")) {
                  match = headerMatches(variant);
                  kinds.claim(variant, "header");
                }
                Optional<Integer> weight =
                    variant.has("match") || variant.require("weight")
                        ? variant.integer("weight", 0, 100).or(() -> Optional.of(0))
                        : Optional.empty();
                if (name.isPresent() && version.isPresent() && weight.isPresent()) {
                  variants.add(new Step.Variant(name.get(), version.get(), weight.get(), match));
                }
              });
    }
    int variantWeight = variants.stream().mapToInt(Step.Variant::weight).sum();
    if (variantWeight + canaryWeight > 100) {
      problems.add(
          experiment.pathOf("variants"),
          "the variants take "
              + variantWeight
              + "% and the canary holds "
              + canaryWeight
              + "% at this step: together above 100%");
    }
    List<Step.ExperimentAnalysis> analyses = new ArrayList<>();
    Set<String> analysisNames = new HashSet<>();
    for (Item item : experiment.list("analyses")) {
      Fields.of(problems, item.path(), item.node(), List.of("name", "templateName", "args"))
          .ifPresent(
              analysis -> {
                Optional<String> name = analysis.requiredString("name");
                name.filter(n -> !analysisNames.add(n))
                    .ifPresent(
                        n ->
                            problems.add(
                                analysis.pathOf("name"), "'" + n + "' names two analyses"));
                Optional<String> template = analysis.requiredString("templateName");
                Map<String, String> args = analysisArgs.read(analysis);
                if (name.isPresent() && template.isPresent()) {
                  analyses.add(
                      new Step.ExperimentAnalysis(
                          name.get(), new AnalysisRef(List.of(template.get()), args)));
                }
              });
    }
    if (problems.count() > before || duration.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Step.Experiment(duration.get(), variants, analyses));
  }

  /** {@code templates: [{templateName: a}]} (Argo's form) or {@code [{name: a}]}, and args. */
  private static Optional<AnalysisRef> analysisRef(Fields analysis, AnalysisArgs analysisArgs) {
    Problems problems = analysis.problems();
    int before = problems.count();
    List<String> templates = new ArrayList<>();
    List<Item> items = analysis.list("templates");
    if (analysis.require("templates") && items.isEmpty() && analysis.raw("templates").isArray()) {
      problems.add(analysis.pathOf("templates"), "needs at least one template");
    }
    for (Item item : items) {
      Fields.of(problems, item.path(), item.node(), List.of("templateName", "name"))
          .ifPresent(
              template -> {
                if (template.has("templateName") == template.has("name")) {
                  problems.add(item.path(), "needs exactly one of templateName or name");
                  return;
                }
                String key = template.has("name") ? "name" : "templateName";
                template
                    .string(key)
                    .flatMap(name -> name(template, key, name))
                    .ifPresent(templates::add);
              });
    }
    Map<String, String> args = analysisArgs.read(analysis);
    return problems.count() > before
        ? Optional.empty()
        : Optional.of(new AnalysisRef(templates, args));
  }

  // ---- AnalysisTemplate

  private static List<AnalysisTemplate.Arg> templateArgs(Fields spec) {
    List<AnalysisTemplate.Arg> args = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Item item : spec.list("args")) {
      Fields.of(spec.problems(), item.path(), item.node(), List.of("name", "value"))
          .ifPresent(
              arg ->
                  arg.requiredString("name")
                      .ifPresent(
                          name -> {
                            if (!names.add(name)) {
                              arg.problems()
                                  .add(arg.pathOf("name"), "'" + name + "' is declared twice");
                            }
                            args.add(new AnalysisTemplate.Arg(name, arg.string("value")));
                          }));
    }
    return args;
  }

  private static List<AnalysisTemplate.Metric> metrics(
      Fields spec, List<AnalysisTemplate.Arg> args) {
    Problems problems = spec.problems();
    List<AnalysisTemplate.Metric> metrics = new ArrayList<>();
    List<Item> items = spec.list("metrics");
    if (spec.require("metrics") && items.isEmpty() && spec.raw("metrics").isArray()) {
      problems.add(spec.pathOf("metrics"), "needs at least one metric");
    }
    Set<String> names = new HashSet<>();
    Set<String> declared = new HashSet<>();
    args.forEach(arg -> declared.add(arg.name()));
    for (Item item : items) {
      Fields.of(problems, item.path(), item.node(), METRIC)
          .ifPresent(metric -> metric(metric, names, declared).ifPresent(metrics::add));
    }
    return metrics;
  }

  private static Optional<AnalysisTemplate.Metric> metric(
      Fields metric, Set<String> names, Set<String> declaredArgs) {
    Problems problems = metric.problems();
    int before = problems.count();
    Optional<String> name = metric.requiredString("name");
    name.filter(n -> !names.add(n))
        .ifPresent(n -> problems.add(metric.pathOf("name"), "'" + n + "' names two metrics"));
    String provider = null;
    Map<String, Object> providerConfig = Map.of();
    if (metric.require("provider")) {
      JsonNode node = metric.raw("provider");
      List<String> keys = node.isObject() ? fieldNames(node) : List.of();
      if (keys.size() != 1) {
        problems.add(
            metric.pathOf("provider"),
            "expected a mapping with one provider (such as prometheus or web), got "
                + (node.isObject() ? keys.size() + " keys" : Fields.describe(node)));
      } else if (!node.get(keys.get(0)).isObject()) {
        problems.add(
            metric.pathOf("provider") + "." + keys.get(0),
            "expected the provider's config mapping, got "
                + Fields.describe(node.get(keys.get(0))));
      } else {
        provider = keys.get(0);
        providerConfig = toTree(node.get(provider));
        undeclaredArgs(
            problems, metric.pathOf("provider") + "." + provider, providerConfig, declaredArgs);
      }
    }
    Optional<Integer> count = metric.integer("count", 1, 1_000_000);
    Optional<Duration> interval = metric.duration("interval");
    interval
        .filter(Duration::isZero)
        .ifPresent(zero -> problems.add(metric.pathOf("interval"), "must be longer than 0s"));
    if (interval.isEmpty() && !metric.has("interval") && count.orElse(0) != 1) {
      problems.add(metric.pathOf("interval"), "is required unless count is 1");
    }
    Duration initialDelay = metric.duration("initialDelay").orElse(Duration.ZERO);
    Optional<Condition> success = condition(metric, "successCondition");
    Optional<Condition> failure = condition(metric, "failureCondition");
    if (!metric.has("successCondition") && !metric.has("failureCondition")) {
      problems.add(metric.path(), "needs a successCondition or a failureCondition");
    }
    int failureLimit = metric.integer("failureLimit", 0, 1_000_000).orElse(0);
    int inconclusiveLimit = metric.integer("inconclusiveLimit", 0, 1_000_000).orElse(0);
    int errorLimit = metric.integer("consecutiveErrorLimit", 0, 1_000_000).orElse(4);
    AnalysisTemplate.NoData noData =
        metric
            .choice("noData", List.of("error", "inconclusive", "failure", "success"))
            .map(choice -> AnalysisTemplate.NoData.valueOf(choice.toUpperCase(Locale.ROOT)))
            .orElse(AnalysisTemplate.NoData.ERROR);
    int minSamples = metric.integer("minSamples", 0, 1_000_000).orElse(0);
    count
        .filter(c -> c < minSamples)
        .ifPresent(
            c ->
                problems.add(
                    metric.pathOf("minSamples"),
                    minSamples + " can never be reached with count " + c));
    boolean dryRun = metric.bool("dryRun").orElse(false);
    if (problems.count() > before) {
      return Optional.empty();
    }
    return Optional.of(
        new AnalysisTemplate.Metric(
            name.orElseThrow(),
            provider,
            providerConfig,
            interval.orElse(Duration.ZERO),
            count,
            initialDelay,
            success,
            failure,
            failureLimit,
            inconclusiveLimit,
            errorLimit,
            noData,
            minSamples,
            dryRun));
  }

  /** A condition compiled now, so that a typo is refused with its position. */
  private static Optional<Condition> condition(Fields metric, String key) {
    return metric
        .string(key)
        .flatMap(
            expression -> {
              try {
                return Optional.of(Condition.compile(expression));
              } catch (IllegalArgumentException e) {
                metric.problems().add(metric.pathOf(key), e.getMessage());
                return Optional.empty();
              }
            });
  }

  private static void undeclaredArgs(
      Problems problems, String path, Object tree, Set<String> declared) {
    if (tree instanceof Map<?, ?> map) {
      map.forEach((key, value) -> undeclaredArgs(problems, path + "." + key, value, declared));
    } else if (tree instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        undeclaredArgs(problems, path + "[" + i + "]", list.get(i), declared);
      }
    } else if (tree instanceof String text) {
      Matcher matcher = AnalysisSetup.ARG_REFERENCE.matcher(text);
      while (matcher.find()) {
        if (!declared.contains(matcher.group(1))) {
          problems.add(
              path, "uses {{args." + matcher.group(1) + "}}, which spec.args does not declare");
        }
      }
    }
  }

  // ---- trees and revisions

  @SuppressWarnings("unchecked")
  private static Map<String, Object> toTree(JsonNode node) {
    return YAML.convertValue(node, LinkedHashMap.class);
  }

  /** A digest of the spec that ignores key order and formatting. */
  private static String revision(JsonNode spec) {
    StringBuilder canonical = new StringBuilder();
    canonicalize(spec, canonical);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }

  private static void canonicalize(JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      Map<String, JsonNode> sorted = new TreeMap<>();
      node.fields().forEachRemaining(entry -> sorted.put(entry.getKey(), entry.getValue()));
      out.append('{');
      sorted.forEach(
          (key, value) -> {
            out.append(quote(key)).append(':');
            canonicalize(value, out);
            out.append(',');
          });
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      node.forEach(
          item -> {
            canonicalize(item, out);
            out.append(',');
          });
      out.append(']');
    } else {
      out.append(node.isTextual() ? quote(node.textValue()) : node.asText());
    }
  }

  private static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
