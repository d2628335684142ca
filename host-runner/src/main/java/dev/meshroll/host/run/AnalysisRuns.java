package dev.meshroll.host.run;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.engine.AnalysisRun;
import dev.meshroll.host.engine.Observation;
import java.util.function.Consumer;

/** Measures the analysis runs the engine starts, and reports their phases. */
interface AnalysisRuns {
  void start(RolloutRef rollout, AnalysisRun run, Consumer<Observation.AnalysisReport> report);

  void stop(String runId);
}
