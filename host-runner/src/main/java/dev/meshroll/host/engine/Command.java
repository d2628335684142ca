package dev.meshroll.host.engine;

/** What an operator can tell a rollout. */
public enum Command {
  /** Ends the current pause, analysis or experiment and goes on with the next step. */
  PROMOTE,
  /** Skips every remaining step and analysis: the new version takes all traffic. */
  PROMOTE_FULL,
  /** Sends all traffic back to stable, releases the managed routes; the phase becomes Degraded. */
  ABORT,
  /** After an abort, starts the same rollout again from its first step. */
  RETRY,
  /** Holds the rollout at its current step until {@link #RESUME}. */
  PAUSE,
  /** Lifts an operator's pause, or goes on past an inconclusive analysis. */
  RESUME
}
