package dev.meshroll.host.engine;

/** Where a rollout stands, as Argo Rollouts names it. */
public enum Phase {
  /** Moving through its steps. */
  PROGRESSING,
  /** Waiting: a pause step, an inconclusive analysis, or an operator's pause. */
  PAUSED,
  /** Done: the new version serves all traffic and the managed routes are released. */
  HEALTHY,
  /** Aborted: stable serves all traffic; {@code retry} starts over. */
  DEGRADED;

  boolean terminal() {
    return this == HEALTHY || this == DEGRADED;
  }
}
