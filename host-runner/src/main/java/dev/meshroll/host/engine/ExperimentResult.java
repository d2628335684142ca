package dev.meshroll.host.engine;

import java.time.Instant;

/**
 * How an experiment ended: {@code SUCCESSFUL} when no analysis failed or was inconclusive, {@code
 * INCONCLUSIVE}, or {@code FAILED} (an analysis failed, or the rollout was aborted while the
 * experiment ran).
 *
 * @param step where the experiment is, e.g. {@code steps[5]} or {@code experiment}
 * @param message each analysis's phase and word, or why the experiment was cut short
 */
public record ExperimentResult(String step, RunPhase result, Instant endedAt, String message) {}
