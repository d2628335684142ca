package dev.meshroll.host.engine;

/**
 * Something the host must carry out, after it has stored the status that announces it. Effects of
 * one decision are carried out in order.
 */
public sealed interface Effect {

  /**
   * Apply {@code traffic} with every router of the rollout, then verify it with each and report the
   * answers as {@link Observation.RouterReport}s until all have converged.
   */
  record ApplyTraffic(Traffic traffic) implements Effect {}

  /** Start measuring an analysis run and report its phase as it changes. */
  record StartAnalysis(AnalysisRun run) implements Effect {}

  /** Stop measuring a run; its later reports are ignored. */
  record StopAnalysis(String runId) implements Effect {}

  /** The rollout has ended: every router releases what it manages, leaving {@code traffic}. */
  record Release(Traffic traffic) implements Effect {}
}
