package dev.meshroll.host.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.RequestMatch;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.StringMatch;
import dev.meshroll.host.analysis.Condition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpecFileTest {

  private static SpecFile example(String name) throws IOException {
    return SpecFile.parse(name, Files.readString(Path.of("..", "examples", name)));
  }

  @Test
  void readsTheCanaryExample() throws IOException {
    SpecFile file = example("reviews-canary.yaml");

    assertThat(file.problems()).isEmpty();
    RolloutSpec rollout = file.rollouts().get(0);
    assertThat(rollout.ref()).isEqualTo(new RolloutRef("bookinfo", "reviews"));
    Strategy.Canary canary = (Strategy.Canary) rollout.strategy();
    assertThat(canary.services())
        .isEqualTo(Map.of("stable", "reviews-stable", "canary", "reviews-canary"));
    assertThat(canary.trafficRouting().managedRoutes()).containsExactly("tester", "shadow");
    assertThat(canary.trafficRouting().routers()).containsOnlyKeys("xds", "istio");
    assertThat(canary.trafficRouting().routers().get("xds"))
        .containsEntry("routes", List.of("primary"))
        .containsEntry("virtualHost", "reviews");
    assertThat(canary.background())
        .contains(
            new Strategy.BackgroundAnalysis(
                new AnalysisRef(List.of("success-rate"), Map.of("service", "reviews-canary")), 2));
    assertThat(canary.steps())
        .startsWith(
            new Step.SetMirrorRoute(
                "shadow",
                100,
                List.of(
                    new RequestMatch(
                        Optional.of(StringMatch.exact("GET")), Optional.empty(), Map.of()))),
            new Step.SetHeaderRoute(
                "tester", List.of(new HeaderMatch("x-canary", StringMatch.exact("1")))),
            new Step.SetWeight(10),
            new Step.Pause(Optional.of(Duration.ofMinutes(2))),
            new Step.Analysis(new AnalysisRef(List.of("latency"), Map.of())))
        .endsWith(
            new Step.SetMirrorRoute("shadow", 100, List.of()),
            new Step.SetWeight(50),
            new Step.Pause(Optional.empty()));
    Step.Experiment experiment = (Step.Experiment) canary.steps().get(5);
    assertThat(experiment.duration()).isEqualTo(Duration.ofMinutes(10));
    assertThat(experiment.variants())
        .containsExactly(
            new Step.Variant("baseline", "stable", 5), new Step.Variant("candidate", "canary", 5));
    assertThat(experiment.analyses())
        .containsExactly(
            new Step.ExperimentAnalysis(
                "compare",
                new AnalysisRef(
                    List.of("error-rate-vs-baseline"),
                    Map.of(
                        "baseline", "reviews-v1-baseline", "candidate", "reviews-v2-candidate"))));

    AnalysisTemplate template = file.templates().get(0);
    assertThat(template.args())
        .containsExactly(new AnalysisTemplate.Arg("service", Optional.empty()));
    AnalysisTemplate.Metric metric = template.metrics().get(0);
    assertThat(metric.provider()).isEqualTo("prometheus");
    assertThat(metric.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(metric.count()).isEmpty();
    assertThat(metric.failureLimit()).isEqualTo(2);
    assertThat(metric.consecutiveErrorLimit()).isEqualTo(4);
    assertThat(metric.successCondition().map(Condition::expression)).contains("result >= 0.95");
  }

  @Test
  void readsTheBlueGreenExample() throws IOException {
    SpecFile file = example("checkout-bluegreen.yaml");

    assertThat(file.problems()).isEmpty();
    Strategy.BlueGreen blueGreen = (Strategy.BlueGreen) file.rollouts().get(0).strategy();
    assertThat(blueGreen.services())
        .isEqualTo(Map.of("stable", "checkout-active", "canary", "checkout-preview"));
    assertThat(blueGreen.previewRoute().orElseThrow().match())
        .containsExactly(new HeaderMatch("x-preview", StringMatch.exact("true")));
    assertThat(blueGreen.autoPromotionEnabled()).isFalse();
    assertThat(blueGreen.rollbackWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(blueGreen.prePromotionAnalysis()).isPresent();
    assertThat(file.templates().get(0).metrics().get(0).count()).contains(1);
  }

  @Test
  void appliesTheDefaults() {
    SpecFile file =
        SpecFile.parse(
            "d.yaml",
            """
            apiVersion: meshroll.dev/v1alpha1
            kind: Rollout
            metadata: {name: d}
            spec:
              strategy:
                blueGreen:
                  trafficRouting: {smi: {}}
            """);

    assertThat(file.problems()).isEmpty();
    RolloutSpec rollout = file.rollouts().get(0);
    assertThat(rollout.ref().namespace()).isEqualTo("default");
    Strategy.BlueGreen blueGreen = (Strategy.BlueGreen) rollout.strategy();
    assertThat(blueGreen.autoPromotionEnabled()).isTrue();
    assertThat(blueGreen.autoPromotionDelay()).isZero();
    assertThat(blueGreen.services()).isEmpty();
  }

  @Test
  void acceptsArgoAndShortTemplateReferencesAlike() {
    String yaml =
        """
        apiVersion: meshroll.dev/v1alpha1
        kind: Rollout
        metadata: {name: d}
        spec:
          strategy:
            canary:
              trafficRouting: {xds: {}}
              steps: [{analysis: {templates: [%s]}}]
        """;
    SpecFile argo = SpecFile.parse("a.yaml", yaml.formatted("{templateName: latency}"));
    SpecFile shorter = SpecFile.parse("a.yaml", yaml.formatted("{name: latency}"));

    assertThat(argo.rollouts()).isNotEmpty();
    assertThat(argo.rollouts().get(0).strategy()).isEqualTo(shorter.rollouts().get(0).strategy());
  }

  @Test
  void durationsReadInEveryForm() {
    String yaml =
        """
        apiVersion: meshroll.dev/v1alpha1
        kind: Rollout
        metadata: {name: d}
        spec:
          strategy:
            canary:
              trafficRouting: {xds: {}}
              steps: [{pause: {duration: 90}}, {pause: {duration: 1h30m}}, {pause: {duration: 45s}}, {pause: {duration: 1s500ms}}]
        """;
    List<Step> steps =
        ((Strategy.Canary) SpecFile.parse("d.yaml", yaml).rollouts().get(0).strategy()).steps();
    assertThat(steps)
        .containsExactly(
            new Step.Pause(Optional.of(Duration.ofSeconds(90))),
            new Step.Pause(Optional.of(Duration.ofMinutes(90))),
            new Step.Pause(Optional.of(Duration.ofSeconds(45))),
            new Step.Pause(Optional.of(Duration.ofMillis(1500))));
  }
}
