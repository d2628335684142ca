package dev.meshroll.host.engine;

/** Where an analysis run stands. */
public enum RunPhase {
  RUNNING,
  SUCCESSFUL,
  FAILED,
  INCONCLUSIVE;

  public boolean finished() {
    return this != RUNNING;
  }
}
