package dev.meshroll.host.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.engine.Plan;
import dev.meshroll.host.spec.AnalysisRef;
import dev.meshroll.host.spec.AnalysisTemplate;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.SpecFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A rollout's analyses joined with their templates: arguments, substitution, and what is missing.
 */
class AnalysisSetupTest {
  private static final String FILE =
      """
      apiVersion: meshroll.dev/v1alpha1
      kind: Rollout
      metadata: {name: reviews, namespace: bookinfo}
      spec:
        strategy:
          canary:
            canaryService: reviews-canary
            trafficRouting:
              xds: {routes: [primary], versions: {stable: reviews-v1, canary: reviews-v2, baseline: reviews-v1-b}}
            steps:
            - analysis:
                templates: [{templateName: error-ratio}]
                args:
                - {name: service, valueFrom: {version: canary}}
                - {name: rollout, valueFrom: {rollout: name}}
            - experiment:
                duration: 1m
                variants: [{name: baseline, version: stable, weight: 5}]
                analyses:
                - name: compare
                  templateName: error-ratio
                  args:
                  - {name: service, valueFrom: {version: baseline}}
                  - {name: rollout, value: literal}
                  - {name: limit, value: "0.01"}
            - analysis: {templates: [{name: error-ratio}, {name: latency}]}
            - analysis: {templates: [{name: error-ratio}, {name: error-ratio-copy}], args: [{name: servce, value: x}]}
      ---
      apiVersion: meshroll.dev/v1alpha1
      kind: AnalysisTemplate
      metadata: {name: error-ratio, namespace: bookinfo}
      spec:
        args: [{name: service}, {name: rollout}, {name: limit, value: "0.05"}]
        metrics:
        - name: errors
          count: 1
          successCondition: result < 0.05
          provider:
            prometheus:
              address: http://127.0.0.1:9090
              query: 'errors{service="{{args.service}}", rollout="{{ args.rollout }}"} > {{args.limit}}'
      ---
      apiVersion: meshroll.dev/v1alpha1
      kind: AnalysisTemplate
      metadata: {name: error-ratio-copy, namespace: bookinfo}
      spec:
        metrics:
        - {name: errors, count: 1, successCondition: result, provider: {web: {url: 'http://127.0.0.1/'}}}
      """;

  private static final Set<String> PROVIDERS = Set.of("prometheus", "web");

  private final SpecFile file = SpecFile.parse("reviews.yaml", FILE);
  private final RolloutSpec rollout = file.rollouts().get(0);
  private final Map<String, AnalysisRef> analyses = Plan.of(rollout).analyses();
  private final Map<RolloutRef, AnalysisTemplate> templates = new LinkedHashMap<>();

  {
    file.templates().forEach(template -> templates.put(template.ref(), template));
  }

  private AnalysisSetup.Setup resolve(String where) {
    return AnalysisSetup.resolve(rollout.ref(), analyses.get(where), templates, PROVIDERS);
  }

  @Test
  void argumentsComeFromTheRolloutAndAreSubstituted() {
    assertThat(file.problems()).isEmpty();
    assertThat(analyses.keySet())
        .containsExactly("steps[0]", "steps[1].analyses[compare]", "steps[2]", "steps[3]");
    AnalysisSetup.Setup setup = resolve("steps[0]");
    assertThat(setup.problems()).isEmpty();
    assertThat(setup.metrics())
        .singleElement()
        .satisfies(
            ready ->
                assertThat(ready.config())
                    .isEqualTo(
                        Map.of(
                            "address", "http://127.0.0.1:9090",
                            "query",
                                "errors{service=\"reviews-canary\", rollout=\"reviews\"} > 0.05")));
    // The template itself is untouched: each analysis substitutes its own values.
    assertThat(
            templates
                .get(new RolloutRef("bookinfo", "error-ratio"))
                .metrics()
                .get(0)
                .providerConfig()
                .get("query"))
        .asString()
        .contains("{{args.service}}");
  }

  @Test
  void anExperimentsArgsCarryTheVariantsTarget() {
    assertThat(resolve("steps[1].analyses[compare]").metrics().get(0).config().get("query"))
        .isEqualTo("errors{service=\"reviews-v1-b\", rollout=\"literal\"} > 0.01");
  }

  @Test
  void everyMissingPieceIsNamed() {
    assertThat(resolve("steps[2]").problems())
        .containsExactly(
            "AnalysisTemplate error-ratio (reviews.yaml (document 2)) needs argument 'service',"
                + " which has no default and is not given",
            "AnalysisTemplate error-ratio (reviews.yaml (document 2)) needs argument 'rollout',"
                + " which has no default and is not given",
            "AnalysisTemplate latency is not in namespace bookinfo (no file of the rollouts folder"
                + " declares it)");
    assertThat(resolve("steps[2]").metrics()).isEmpty();
    assertThat(resolve("steps[3]").problems())
        .contains(
            "metric 'errors' is in AnalysisTemplates error-ratio and error-ratio-copy; one analysis"
                + " cannot measure both",
            "argument 'servce' is given, but no template of [error-ratio, error-ratio-copy]"
                + " declares it");
  }

  @Test
  void everyAnalysisOfTheExamplesResolves() throws IOException {
    Map<RolloutRef, AnalysisTemplate> exampleTemplates = new LinkedHashMap<>();
    List<RolloutSpec> rollouts = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
      for (Path path : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        SpecFile example = SpecFile.parse(path.toString(), Files.readString(path));
        assertThat(example.problems()).isEmpty();
        example.templates().forEach(t -> exampleTemplates.put(t.ref(), t));
        rollouts.addAll(example.rollouts());
      }
    }
    assertThat(rollouts)
        .extracting(r -> r.ref().name())
        .contains("reviews", "checkout", "reviews-v2-vs-v1");
    for (RolloutSpec example : rollouts) {
      Plan.of(example)
          .analyses()
          .forEach(
              (where, analysis) ->
                  assertThat(
                          AnalysisSetup.resolve(
                                  example.ref(), analysis, exampleTemplates, PROVIDERS)
                              .problems())
                      .as(example.file() + " " + where)
                      .isEmpty());
    }
  }

  @Test
  void aProviderThatIsNotInstalledIsNamedWithItsField() {
    assertThat(
            AnalysisSetup.resolve(rollout.ref(), analyses.get("steps[0]"), templates, Set.of("web"))
                .problems())
        .containsExactly(
            "reviews.yaml (document 2): spec.metrics[0].provider.prometheus: provider 'prometheus'"
                + " is not installed (installed: [web])");
  }

  @Test
  void templatesAreFoundInTheRolloutsNamespaceOnly() {
    RolloutRef elsewhere = new RolloutRef("shop", "reviews");
    assertThat(
            AnalysisSetup.resolve(elsewhere, analyses.get("steps[0]"), templates, PROVIDERS)
                .problems())
        .containsExactly(
            "AnalysisTemplate error-ratio is not in namespace shop (no file of the rollouts folder"
                + " declares it)");
  }
}
