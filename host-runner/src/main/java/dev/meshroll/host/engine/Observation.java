package dev.meshroll.host.engine;

import dev.meshroll.api.Verification;

/** Something the host saw that the engine should weigh. */
public sealed interface Observation {

  /** A router's answer to {@code verify} for one generation of the rollout's traffic. */
  record RouterReport(String router, long generation, Verification verification)
      implements Observation {}

  /** News of an analysis run: still running (with measurements), or finished. */
  record AnalysisReport(String runId, RunPhase phase, String message) implements Observation {}

  /** An operator's command. */
  record OperatorCommand(Command command) implements Observation {}
}
