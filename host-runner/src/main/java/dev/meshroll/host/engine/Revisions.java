package dev.meshroll.host.engine;

import dev.meshroll.api.RolloutRouting;
import dev.meshroll.host.spec.RolloutSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a new revision may start from. What is live is state, not spec: the status records each
 * router's live target (the last one that reached 100%, or the first revision's stable), and a new
 * revision starts from it, so its stable must name it. Otherwise an edit of the spec could send
 * most traffic to a version that never proved itself. Pure.
 */
public final class Revisions {
  private Revisions() {}

  /**
   * Why {@code spec} may not replace the revision {@code status} belongs to; empty when it may (the
   * same revision, a first one, matching stable targets, or {@code adoptStable: true}).
   *
   * @param targets what the new revision's routers address its roles as
   */
  public static List<String> refusals(RolloutSpec spec, Targets targets, RolloutStatus status) {
    List<String> refusals = new ArrayList<>();
    if (status == null
        || status.revision().equals(spec.revision())
        || spec.strategy().adoptStable()) {
      return refusals;
    }
    Map<String, String> stable = targets.of(RolloutRouting.STABLE);
    status
        .liveTargets()
        .forEach(
            (router, live) -> {
              String wanted = stable.get(router);
              if (wanted != null && !wanted.equals(live)) {
                refusals.add(
                    spec.file()
                        + ": "
                        + spec.strategy().path()
                        + ".trafficRouting."
                        + router
                        + ": stable is '"
                        + wanted
                        + "', but '"
                        + live
                        + "' is live (the last target that reached 100%, or the first revision's"
                        + " stable); a new revision starts from what is live: name '"
                        + live
                        + "' as stable, or set "
                        + spec.strategy().path()
                        + ".adoptStable: true to make '"
                        + wanted
                        + "' the stable on purpose");
              }
            });
    return refusals;
  }
}
