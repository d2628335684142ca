package dev.meshroll.host.engine;

import dev.meshroll.api.Verification;
import java.util.List;

/** Something the host saw that the engine should weigh. */
public sealed interface Observation {

  /** A router's answer to {@code verify} for one generation of the rollout's traffic. */
  record RouterReport(String router, long generation, Verification verification)
      implements Observation {}

  /** News of an analysis run: still running, or finished, with its metrics' measurements so far. */
  record AnalysisReport(String runId, RunPhase phase, String message, List<MetricResult> metrics)
      implements Observation {
    public AnalysisReport {
      metrics = List.copyOf(metrics);
    }

    /** A report without measurements, from a runner that has none to show. */
    public AnalysisReport(String runId, RunPhase phase, String message) {
      this(runId, phase, message, List.of());
    }
  }

  /**
   * The host has just started with the stored status: it carries out again what the status
   * announces, and the history records the restart.
   */
  record Restarted() implements Observation {}

  /** A newer revision of the rollout's spec was refused, for these reasons (at least one). */
  record RevisionRefused(String revision, List<String> problems) implements Observation {
    public RevisionRefused {
      problems = List.copyOf(problems);
      if (problems.isEmpty()) {
        throw new IllegalArgumentException("a refusal needs a reason");
      }
    }
  }

  /**
   * An operator's command.
   *
   * @param caller who gave it, as the host knows them (the name of their token); empty when the
   *     host cannot tell
   */
  record OperatorCommand(Command command, String caller) implements Observation {
    /** A command from someone the host cannot name. */
    public OperatorCommand(Command command) {
      this(command, "");
    }
  }
}
