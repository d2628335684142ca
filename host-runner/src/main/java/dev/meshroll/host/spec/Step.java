package dev.meshroll.host.spec;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.RequestMatch;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One step of a rollout's plan. The canary strategy's steps are written by the user; {@link Switch}
 * and {@link Hold} are added by the strategies themselves (see {@code Plan}).
 */
public sealed interface Step {

  /** Sends {@code weight} percent to the canary and the rest to stable. */
  record SetWeight(int weight) implements Step {}

  /** Waits for {@code duration}, or without one until an operator promotes. */
  record Pause(Optional<Duration> duration) implements Step {}

  /** Sends requests matching any of {@code match} to the canary; an empty match removes it. */
  record SetHeaderRoute(String name, List<HeaderMatch> match) implements Step {
    public SetHeaderRoute {
      match = List.copyOf(match);
    }
  }

  /** Mirrors {@code percentage} of requests matching {@code match}; an empty match removes it. */
  record SetMirrorRoute(String name, int percentage, List<RequestMatch> match) implements Step {
    public SetMirrorRoute {
      match = List.copyOf(match);
    }
  }

  /** Runs an analysis; succeeds on success, aborts on failure, pauses when inconclusive. */
  record Analysis(AnalysisRef analysis) implements Step {}

  /**
   * Routes each variant its weight for {@code duration} while its analyses run, then reverts.
   * Variant weights come from stable; the canary keeps its weight.
   */
  record Experiment(Duration duration, List<Variant> variants, List<ExperimentAnalysis> analyses)
      implements Step {
    public Experiment {
      variants = List.copyOf(variants);
      analyses = List.copyOf(analyses);
    }

    /** The sum of the variants' weights. */
    public int variantWeight() {
      return variants.stream().mapToInt(Variant::weight).sum();
    }
  }

  /** Sends all traffic to the new version and removes every managed route, in one intent. */
  record Switch() implements Step {}

  /**
   * After a blue-green switch: keeps the rollout open for {@code window} (a failure inside it
   * switches back) while an optional post-promotion analysis runs.
   */
  record Hold(Duration window, Optional<AnalysisRef> analysis) implements Step {}

  /**
   * An experiment variant: a version role of its own, routed {@code weight} percent, and the
   * requests that match {@code match} (a header route named after the variant).
   *
   * @param name the variant's role name, mapped to a target by each router's config
   * @param version which version the variant runs: {@code stable} or {@code canary}
   * @param weight percent of traffic
   * @param match header conditions that send a request to the variant; empty for none
   */
  record Variant(String name, String version, int weight, List<HeaderMatch> match) {
    public Variant {
      match = List.copyOf(match);
    }

    /** A variant routed by weight only. */
    public Variant(String name, String version, int weight) {
      this(name, version, weight, List.of());
    }
  }

  /** An analysis of an experiment: a name, its template and its arguments. */
  record ExperimentAnalysis(String name, AnalysisRef analysis) {}
}
