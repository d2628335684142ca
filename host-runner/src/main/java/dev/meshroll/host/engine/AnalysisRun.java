package dev.meshroll.host.engine;

import dev.meshroll.host.spec.AnalysisRef;
import java.util.List;

/**
 * An analysis the engine has started: the host measures it and reports its phase by {@code id}.
 *
 * @param id unique within the rollout's life, so that late reports of stopped runs are ignored
 * @param name what it is for, as people read it: {@code background}, {@code steps[4]}, an
 *     experiment analysis's name, {@code prePromotionAnalysis}
 * @param background whether it runs until the rollout ends rather than for one step
 * @param message the latest word from the host: measurements, or why it ended
 * @param metrics each metric's measurements so far
 */
public record AnalysisRun(
    String id,
    String name,
    boolean background,
    AnalysisRef analysis,
    RunPhase phase,
    String message,
    List<MetricResult> metrics) {
  public AnalysisRun {
    metrics = List.copyOf(metrics);
  }

  AnalysisRun with(RunPhase newPhase, String newMessage, List<MetricResult> newMetrics) {
    return new AnalysisRun(id, name, background, analysis, newPhase, newMessage, newMetrics);
  }
}
