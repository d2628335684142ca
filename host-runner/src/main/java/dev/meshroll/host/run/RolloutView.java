package dev.meshroll.host.run;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.engine.Plan;
import dev.meshroll.host.engine.RolloutStatus;
import dev.meshroll.host.engine.Targets;
import java.util.List;
import java.util.Optional;

/**
 * What the host shows of one rollout at one moment: an immutable snapshot for the control API.
 *
 * @param plan the plan of the revision in force; empty when no revision was ever accepted
 * @param targets what the routers address the revision's version roles as
 * @param status the stored status; empty before the first decision or when it cannot be read
 * @param blocked why the rollout cannot move (a damaged state file, a refused first revision);
 *     empty when it can
 * @param specProblems why the newest revision of its spec was refused; the previous one goes on
 * @param note what went wrong carrying out an effect that the status cannot say (a release)
 */
public record RolloutView(
    RolloutRef ref,
    Optional<Plan> plan,
    Targets targets,
    Optional<RolloutStatus> status,
    String blocked,
    List<String> specProblems,
    String note) {
  public RolloutView {
    specProblems = List.copyOf(specProblems);
  }
}
