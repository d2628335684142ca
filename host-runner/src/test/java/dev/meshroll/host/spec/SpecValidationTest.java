package dev.meshroll.host.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed specs and the exact messages they get: file, field path, reason, all at once. */
class SpecValidationTest {

  private static final String CANARY =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: reviews, namespace: bookinfo}
      spec:
        strategy:
          canary:
            trafficRouting:
              managedRoutes: [{name: tester}, {name: shadow}]
              xds: {routes: [primary]}
            steps:
      """;

  private static final String BLUE_GREEN =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: checkout}
      spec:
        strategy:
          blueGreen:
            trafficRouting:
              managedRoutes: [{name: preview}]
              xds: {}
      """;

  private static final String TEMPLATE =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: AnalysisTemplate
      metadata: {name: success-rate}
      spec:
      """;

  /** The canary rollout with these steps, one YAML flow item per string. */
  private static String steps(String... steps) {
    StringBuilder yaml = new StringBuilder(CANARY);
    for (String step : steps) {
      yaml.append("      - ").append(step).append('\n');
    }
    return yaml.toString();
  }

  private static String blueGreen(String fields) {
    return BLUE_GREEN + "      " + fields.replace("\n", "\n      ") + "\n";
  }

  private static String template(String spec) {
    return TEMPLATE + "  " + spec.replace("\n", "\n  ") + "\n";
  }

  private static Arguments malformed(String yaml, String... messages) {
    return Arguments.of(yaml, List.of(messages));
  }

  static Stream<Arguments> malformedSpecs() {
    String step0 = "reviews.yaml: spec.strategy.canary.steps[0]";
    String bg = "reviews.yaml: spec.strategy.blueGreen";
    return Stream.of(
        malformed(steps("setWeight: 120"), step0 + ".setWeight: 120 is above 100"),
        malformed(steps("setWeight: -5"), step0 + ".setWeight: -5 is below 0"),
        malformed(
            steps("setWeight: \"10\""),
            step0 + ".setWeight: expected a whole number, got the string \"10\""),
        malformed(
            steps("setWeight: 10.5"),
            step0 + ".setWeight: expected a whole number, got the number 10.5"),
        malformed(
            steps("setWeight: 99999999999999999999999"),
            step0 + ".setWeight: 99999999999999999999999 is above 100"),
        malformed(
            steps("setWieght: 10"),
            step0 + ".setWieght: unknown field (did you mean 'setWeight'?)",
            step0
                + ": needs one of: setWeight, pause, setHeaderRoute, setMirrorRoute, analysis, experiment"),
        malformed(
            steps("{setWeight: 10, pause: {}}"),
            step0 + ": holds setWeight and pause; a step does one thing"),
        malformed(steps("[setWeight, 10]"), step0 + ": expected a mapping, got a list"),
        malformed(
            steps("pause: {duration: 2x}"),
            step0
                + ".pause.duration: the string \"2x\" is not a duration (expected e.g. 30s, 2m or 1h30m)"),
        malformed(steps("pause: {duration: -1}"), step0 + ".pause.duration: -1 is below 0"),
        malformed(
            steps("pause: {duration: 9999h}"),
            step0 + ".pause.duration: 9999h is longer than 8760h"),
        malformed(
            steps("pause: {durration: 2m}"),
            step0 + ".pause.durration: unknown field (did you mean 'duration'?)"),
        malformed(
            steps(
                "setHeaderRoute: {name: other, match: [{headerName: x-canary, headerValue: {exact: '1'}}]}"),
            step0
                + ".setHeaderRoute.name: 'other' is not in trafficRouting.managedRoutes [tester, shadow]"),
        malformed(
            steps(
                "setHeaderRoute: {name: tester, match: [{headerName: x, headerValue: {exact: a, prefix: b}}]}"),
            step0
                + ".setHeaderRoute.match[0].headerValue: needs exactly one of exact, prefix or regex"),
        malformed(
            steps(
                "setHeaderRoute: {name: tester, match: [{headerName: x, headerValue: {regex: '(a'}}]}"),
            step0
                + ".setHeaderRoute.match[0].headerValue.regex: '(a' is not a valid RE2 regular"
                + " expression (as Envoy and gRPC read it): missing closing ): `(a`"),
        malformed(
            steps(
                "setHeaderRoute: {name: tester, match: [{headerName: x, headerValue: {regex: '(?=1)1'}}]}"),
            step0
                + ".setHeaderRoute.match[0].headerValue.regex: '(?=1)1' is not a valid RE2 regular"
                + " expression (as Envoy and gRPC read it): invalid or unsupported Perl syntax: `(?=`"),
        malformed(
            steps(
                "setMirrorRoute: {name: shadow, match: [{path: {regex: '/(a)\\1'}, method: {regex: 'GET(?!x)'}, headers: {x-user: {regex: '(?<=a)b'}}}]}"),
            step0
                + ".setMirrorRoute.match[0].method.regex: 'GET(?!x)' is not a valid RE2 regular"
                + " expression (as Envoy and gRPC read it): invalid or unsupported Perl syntax: `(?!`",
            step0
                + ".setMirrorRoute.match[0].path.regex: '/(a)\\1' is not a valid RE2 regular"
                + " expression (as Envoy and gRPC read it): invalid escape sequence: `\\1`",
            step0
                + ".setMirrorRoute.match[0].headers.x-user.regex: '(?<=a)b' is not a valid RE2"
                + " regular expression (as Envoy and gRPC read it): invalid named capture: `(?<=a)b`"),
        malformed(
            steps(
                "experiment: {duration: 1m, variants: [{name: tester, version: canary, match: [{headerName: x, headerValue: {regex: '(a)\\1'}}]}]}"),
            step0
                + ".experiment.variants[0].match[0].headerValue.regex: '(a)\\1' is not a valid RE2"
                + " regular expression (as Envoy and gRPC read it): invalid escape sequence: `\\1`"),
        malformed(
            steps(
                "setHeaderRoute: {name: tester, match: [{headerName: x-canary, headerValue: {exact: 1}}]}"),
            step0
                + ".setHeaderRoute.match[0].headerValue.exact: expected a string, got the number 1 (quote it: \"1\")"),
        malformed(
            steps("setHeaderRoute: {name: tester, match: [{headerValue: {exact: a}}]}"),
            step0 + ".setHeaderRoute.match[0].headerName: is required"),
        malformed(
            steps(
                "setMirrorRoute: {name: shadow, percentage: 150, match: [{method: {exact: GET}}]}"),
            step0 + ".setMirrorRoute.percentage: 150 is above 100"),
        malformed(
            steps("setMirrorRoute: {name: shadow, match: [{}]}"),
            step0 + ".setMirrorRoute.match[0]: needs a method, a path or headers to match"),
        malformed(
            steps("setMirrorRoute: {name: shadow, match: [{headers: {x-user: {suffix: a}}}]}"),
            step0
                + ".setMirrorRoute.match[0].headers.x-user.suffix: unknown field (expected one of: exact, prefix, regex)",
            step0
                + ".setMirrorRoute.match[0].headers.x-user: needs exactly one of exact, prefix or regex"),
        malformed(
            steps(
                "setHeaderRoute: {name: tester, match: [{headerName: x, headerValue: {exact: a}}]}",
                "setMirrorRoute: {name: tester, match: [{path: {prefix: /}}]}"),
            "reviews.yaml: spec.strategy.canary.steps[1].setMirrorRoute.name: 'tester' is already a header route;"
                + " a mirror route needs a name of its own"),
        malformed(steps("analysis: {}"), step0 + ".analysis.templates: is required"),
        malformed(
            steps("analysis: {templates: [{templateName: a, name: a}]}"),
            step0 + ".analysis.templates[0]: needs exactly one of templateName or name"),
        malformed(
            steps("analysis: {templates: [{templateName: a}], args: [{name: x}]}"),
            step0 + ".analysis.args[0]: needs exactly one of value or valueFrom"),
        malformed(
            steps("experiment: {variants: [{name: b, version: stable, weight: 5}]}"),
            step0 + ".experiment.duration: is required"),
        malformed(
            steps(
                "setWeight: 60",
                "experiment: {duration: 1m, variants: [{name: a, version: stable, weight: 30}, {name: b, version: canary, weight: 30}]}"),
            "reviews.yaml: spec.strategy.canary.steps[1].experiment.variants: the variants take 60% and the canary"
                + " holds 60% at this step: together above 100%"),
        malformed(
            steps(
                "experiment: {duration: 1m, variants: [{name: canary, version: preview, weight: 5}]}"),
            step0
                + ".experiment.variants[0].name: 'canary' is a version role; name the variant otherwise",
            step0 + ".experiment.variants[0].version: 'preview' is neither stable nor canary"),
        malformed(
            steps(
                "experiment: {duration: 0s, variants: [{name: a, version: stable, weight: 5}, {name: a, version: canary, weight: 5}]}"),
            step0 + ".experiment.duration: must be longer than 0s",
            step0 + ".experiment.variants[1].name: 'a' names two variants"),
        malformed(
            steps("setWeight: 10").replace("meshroll.dev/v1alpha1", "argoproj.io/v1alpha1"),
            "reviews.yaml: apiVersion: 'argoproj.io/v1alpha1' is not meshroll.dev/v1alpha1"),
        malformed(
            steps("setWeight: 10").replace("kind: Rollout", "kind: Rolout"),
            "reviews.yaml: kind: 'Rolout' is not a known kind (did you mean 'Rollout'?)"),
        malformed(
            steps("setWeight: 10").replace("name: reviews, ", ""),
            "reviews.yaml: metadata.name: is required"),
        malformed(
            steps("setWeight: 10").replace("name: reviews", "name: Reviews_1"),
            "reviews.yaml: metadata.name: 'Reviews_1' is not a valid name (at most 63 lower-case letters, digits"
                + " and '-', starting and ending with a letter or digit)"),
        malformed(
            steps("setWeight: 10").replace("    canary:\n", "    blueGreen: {}\n    canary:\n"),
            "reviews.yaml: spec.strategy: needs exactly one of canary or blueGreen"),
        malformed(
            steps("setWeight: 10").replace("        xds: {routes: [primary]}\n", ""),
            "reviews.yaml: spec.strategy.canary.trafficRouting: names no router (expected a block per router,"
                + " such as xds, istio or smi)"),
        malformed(
            steps("setWeight: 10").replace("{name: shadow}", "{name: tester}"),
            "reviews.yaml: spec.strategy.canary.trafficRouting.managedRoutes[1].name: 'tester' is listed twice"),
        malformed(
            steps("setWeight: 10").replace("xds: {routes: [primary]}", "xds: true"),
            "reviews.yaml: spec.strategy.canary.trafficRouting.xds: expected the router's config mapping, got true",
            "reviews.yaml: spec.strategy.canary.trafficRouting: names no router (expected a block per router,"
                + " such as xds, istio or smi)"),
        malformed(
            steps("setWeight: 10")
                .replace(
                    "      steps:\n",
                    "      analysis: {templates: [{name: sr}], startingStep: 5}\n      steps:\n"),
            "reviews.yaml: spec.strategy.canary.analysis.startingStep: 5 is above 0"),
        malformed(
            steps("setWeight: 10").replace("spec:\n", "specs:\n"),
            "reviews.yaml: specs: unknown field (did you mean 'spec'?)",
            "reviews.yaml: spec: is required"),
        malformed(
            steps("setWeight: 10")
                .replace(
                    "      steps:\n",
                    "      canaryService: reviews\n      stableService: reviews\n      steps:\n"),
            "reviews.yaml: spec.strategy.canary.canaryService: must differ from stableService"),
        malformed(
            CANARY.replace("    steps:\n", "    steps: {setWeight: 10}\n"),
            "reviews.yaml: spec.strategy.canary.steps: expected a list, got a mapping"),
        malformed(
            blueGreen("autoPromotionEnabled: false\nautoPromotionSeconds: 30"),
            bg + ".autoPromotionSeconds: has no effect when autoPromotionEnabled is false"),
        malformed(
            blueGreen("previewRoute: {name: preview}"),
            bg + ".previewRoute.match: needs at least one header match"),
        malformed(
            blueGreen(
                "previewRoute: {name: preview, match: [{headerName: x, headerValue: {exact: a, prefix: b}}]}"),
            bg + ".previewRoute.match[0].headerValue: needs exactly one of exact, prefix or regex"),
        malformed(
            blueGreen(
                "previewRoute: {name: preview, match: [{headerName: x, headerValue: {regex: 'a(?=b)'}}]}"),
            bg
                + ".previewRoute.match[0].headerValue.regex: 'a(?=b)' is not a valid RE2 regular"
                + " expression (as Envoy and gRPC read it): invalid or unsupported Perl syntax: `(?=`"),
        malformed(
            blueGreen("autoPromotionEnabled: \"yes\""),
            bg + ".autoPromotionEnabled: expected true or false, got the string \"yes\""),
        malformed(
            blueGreen("prePromotionAnalysis: {templates: []}\nrollbackWindow: {revisions: 3}"),
            bg + ".rollbackWindow: unknown field (did you mean 'rollbackWindowSeconds'?)",
            bg + ".prePromotionAnalysis.templates: needs at least one template"),
        malformed(
            template(
                "metrics:\n- name: sr\n  interval: 1m\n  successCondition: result > 0.9\n  provider:\n    prometheus: {query: 'rate(x{svc=\"{{args.service}}\"}[1m])'}"),
            "reviews.yaml: spec.metrics[0].provider.prometheus.query: uses {{args.service}}, which spec.args does not declare"),
        malformed(
            template(
                "metrics:\n- name: sr\n  count: 3\n  provider: {web: {url: 'http://127.0.0.1/'}}"),
            "reviews.yaml: spec.metrics[0].interval: is required unless count is 1",
            "reviews.yaml: spec.metrics[0]: needs a successCondition or a failureCondition"),
        malformed(
            template(
                "metrics:\n- name: sr\n  count: 1\n  failureCondition: result > 0\n  provider: {web: {}, prometheus: {}}"),
            "reviews.yaml: spec.metrics[0].provider: expected a mapping with one provider (such as prometheus or web), got 2 keys"),
        malformed(template("metrics: []"), "reviews.yaml: spec.metrics: needs at least one metric"),
        malformed(
            template(
                "metrics:\n- name: sr\n  count: 1\n  successCondition: reslt >= 0.95\n  failureCondition: result > 1 && 'x'\n  provider: {web: {url: 'http://127.0.0.1/'}}"),
            "reviews.yaml: spec.metrics[0].successCondition: column 1: undeclared reference to"
                + " 'reslt' (in container '')",
            "reviews.yaml: spec.metrics[0].failureCondition: column 12: found no matching overload"
                + " for '_&&_' applied to '(bool, string)' (candidates: (bool, bool))"),
        malformed(
            template(
                "metrics:\n- name: sr\n  count: 1\n  successCondition: size(result)\n  provider: {web: {url: 'http://127.0.0.1/'}}"),
            "reviews.yaml: spec.metrics[0].successCondition: gives int, not the bool a condition"
                + " needs"),
        malformed(
            template(
                "metrics:\n- name: sr\n  count: 2\n  interval: 10s\n  noData: ignore\n  minSamples: 3\n  dryRun: maybe\n  successCondition: result\n  provider: {web: {url: 'http://127.0.0.1/'}}"),
            "reviews.yaml: spec.metrics[0].noData: 'ignore' is not one of error, inconclusive,"
                + " failure, success",
            "reviews.yaml: spec.metrics[0].minSamples: 3 can never be reached with count 2",
            "reviews.yaml: spec.metrics[0].dryRun: expected true or false, got the string"
                + " \"maybe\""),
        malformed(
            steps(
                "analysis: {templates: [{name: sr}], args: [{name: a, value: x, valueFrom: {rollout: name}}]}",
                "analysis: {templates: [{name: sr}], args: [{name: b, valueFrom: {rollout: uid}}]}",
                "analysis: {templates: [{name: sr}], args: [{name: c, valueFrom: {version: canary}}]}",
                "analysis: {templates: [{name: sr}], args: [{name: d, valueFrom: {version: stable, router: smi}}]}"),
            step0 + ".analysis.args[0]: needs exactly one of value or valueFrom",
            "reviews.yaml: spec.strategy.canary.steps[1].analysis.args[0].valueFrom.rollout: 'uid'"
                + " is not one of name, namespace",
            "reviews.yaml: spec.strategy.canary.steps[2].analysis.args[0].valueFrom.version:"
                + " 'canary' has no target here: give the strategy its Service (e.g."
                + " canaryService) or trafficRouting.ROUTER.versions.canary",
            "reviews.yaml: spec.strategy.canary.steps[3].analysis.args[0].valueFrom.router: 'smi'"
                + " is not one of this rollout's routers [xds]"),
        malformed("", "reviews.yaml: (document): holds no document"),
        malformed("- a\n- b\n", "reviews.yaml: (document): expected a mapping, got a list"),
        malformed(
            "kind: Rollout\nkind: Rollout\n",
            "reviews.yaml: line 2, column 5: not valid YAML: Duplicate field 'kind'"),
        malformed(
            "spec: [unclosed\n",
            "reviews.yaml: line 1, column 16: not valid YAML: while parsing a flow sequence"),
        malformed(
            steps("setWeight: 10") + "---\n" + steps("setWeight: 101"),
            "reviews.yaml (document 2): spec.strategy.canary.steps[0].setWeight: 101 is above 100",
            "reviews.yaml (document 2): metadata.name: Rollout bookinfo/reviews appears twice in this file"),
        malformed(
            steps("setWeight: 120", "pause: {duration: soon}", "setHeaderRoute: {name: nobody}"),
            step0 + ".setWeight: 120 is above 100",
            "reviews.yaml: spec.strategy.canary.steps[1].pause.duration: the string \"soon\" is not a duration"
                + " (expected e.g. 30s, 2m or 1h30m)",
            "reviews.yaml: spec.strategy.canary.steps[2].setHeaderRoute.name: 'nobody' is not in"
                + " trafficRouting.managedRoutes [tester, shadow]"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"(?P<v>x)", "(?i)^canary-(alpha|beta)$", "\\p{Greek}+", "[[:digit:]]{1,3}"})
  void acceptsWhatRe2Reads(String regex) {
    SpecFile file =
        SpecFile.parse(
            "reviews.yaml",
            steps(
                "setHeaderRoute: {name: tester, match: [{headerName: x, headerValue: {regex: '"
                    + regex
                    + "'}}]}"));

    assertThat(file.problems()).isEmpty();
    assertThat(file.rollouts()).hasSize(1);
  }

  @ParameterizedTest
  @MethodSource("malformedSpecs")
  void reportsEveryProblemWithItsField(String yaml, List<String> messages) {
    SpecFile file = SpecFile.parse("reviews.yaml", yaml);

    assertThat(file.problems()).map(SpecProblem::toString).containsExactlyElementsOf(messages);
    assertThat(file.rollouts()).isEmpty();
    assertThat(file.templates()).isEmpty();
  }
}
