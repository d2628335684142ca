package dev.meshroll.host.engine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the engine decided: the status to store, the effects to carry out after storing it, and when
 * to ask again if nothing is observed before then.
 */
public record Decision(RolloutStatus status, List<Effect> effects, Optional<Instant> wakeAt) {
  public Decision {
    effects = List.copyOf(effects);
  }
}
