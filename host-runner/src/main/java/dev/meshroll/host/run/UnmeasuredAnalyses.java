package dev.meshroll.host.run;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.engine.AnalysisRun;
import dev.meshroll.host.engine.Observation;
import dev.meshroll.host.engine.RunPhase;
import java.util.function.Consumer;

/**
 * What this host does with analyses until it can measure them (metric providers arrive with the
 * analysis issue): it measures nothing and says so. Each run ends inconclusive, which pauses the
 * rollout with the reason, so that an operator decides (promote to go on, abort to roll back)
 * instead of a step passing unmeasured.
 */
final class UnmeasuredAnalyses implements AnalysisRuns {
  @Override
  public void start(
      RolloutRef rollout, AnalysisRun run, Consumer<Observation.AnalysisReport> report) {
    report.accept(
        new Observation.AnalysisReport(
            run.id(),
            RunPhase.INCONCLUSIVE,
            "not measured: this host has no analysis runner yet (templates "
                + run.analysis().templates()
                + ")"));
  }

  @Override
  public void stop(String runId) {
    // Nothing runs.
  }
}
