package dev.meshroll.xds;

import dev.meshroll.api.Verification;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Whether the fleet serves one generation of a rollout's intent, from what each node has. Pure: the
 * rules of verification in one place.
 *
 * <ul>
 *   <li>The fleet is every node that subscribes to the intent's route configuration, plus the nodes
 *       remembered from before a restart that have not reconnected yet (they keep serving what they
 *       had: a proxy keeps its last config while the control plane is away).
 *   <li>A node that rejected anything the intent needs fails the step with its own words.
 *   <li>Fewer nodes than {@code minNodes}: pending, saying how to connect one.
 *   <li>Converged once {@code minFraction} of the fleet has everything; pending otherwise, naming
 *       the nodes that hold it back.
 *   <li>A change pushed by this host run fails after {@code verifyTimeout}; a change that was in
 *       force before the host restarted has no deadline (a restart must not roll back).
 * </ul>
 */
final class Convergence {
  /** How many lagging nodes a message names before it counts the rest. */
  private static final int NAMED = 3;

  private Convergence() {}

  /** One node of the fleet, as far as one intent goes. */
  record Node(String id, State state, String reason) {
    enum State {
      ACKED,
      LAGGING,
      FAILED
    }

    static Node acked(String id) {
      return new Node(id, State.ACKED, "");
    }

    static Node lagging(String id, String reason) {
      return new Node(id, State.LAGGING, reason);
    }

    static Node failed(String id, String reason) {
      return new Node(id, State.FAILED, reason);
    }
  }

  /** The router's settings that verification follows. */
  record Rules(double minFraction, int minNodes, Duration verifyTimeout) {}

  /**
   * The answer, and the fleet to remember for the rollout: each node with the latest generation it
   * was seen to have (0 for none).
   */
  record Result(Verification verification, Map<String, Long> fleet) {}

  /**
   * Judges one generation.
   *
   * @param routes the route configuration's name, for messages
   * @param connected the connected nodes that subscribe to it
   * @param remembered nodes remembered from before a restart that have not connected in this run,
   *     with the generation each had
   * @param known the fleet remembered so far for the rollout (see {@link Result#fleet})
   * @param pushedAt when this host run made the generation the one in force; empty when it was in
   *     force before the host started
   */
  static Result judge(
      String routes,
      long generation,
      List<Node> connected,
      Map<String, Long> remembered,
      Map<String, Long> known,
      Rules rules,
      Optional<Instant> pushedAt,
      Instant now) {
    Map<String, Node> fleet = new TreeMap<>();
    Map<String, Long> record = new TreeMap<>();
    for (Node node : connected) {
      fleet.put(node.id(), node);
      record.put(
          node.id(),
          node.state() == Node.State.ACKED ? generation : known.getOrDefault(node.id(), 0L));
    }
    remembered.forEach(
        (id, had) -> {
          fleet.put(
              id,
              had >= generation
                  ? Node.acked(id)
                  : Node.lagging(
                      id,
                      "not reconnected since the host restarted; it had "
                          + (had == 0 ? "no generation" : "generation " + had)));
          record.put(id, had);
        });
    Optional<Node> failed =
        fleet.values().stream().filter(node -> node.state() == Node.State.FAILED).findFirst();
    if (failed.isPresent()) {
      return new Result(
          Verification.failed("node " + failed.get().id() + " " + failed.get().reason()), record);
    }
    Optional<Instant> deadline = pushedAt.map(at -> at.plus(rules.verifyTimeout()));
    boolean late = deadline.isPresent() && now.isAfter(deadline.get());
    int size = fleet.size();
    if (size < rules.minNodes()) {
      String subscribed =
          (size == 1 ? "1 node subscribes" : size + " nodes subscribe")
              + " to RouteConfiguration '"
              + routes
              + "'";
      if (late) {
        return new Result(
            Verification.failed(
                "only "
                    + subscribed
                    + " after "
                    + rules.verifyTimeout().toSeconds()
                    + "s (minNodes "
                    + rules.minNodes()
                    + ")"),
            record);
      }
      return new Result(
          Verification.pending(
              "waiting for nodes: "
                  + subscribed
                  + ", at least "
                  + rules.minNodes()
                  + " needed (minNodes); connect a client whose Listener leads to it (README:"
                  + " \"Connect a fleet\")"
                  + until(deadline)),
          record);
    }
    long acked = fleet.values().stream().filter(node -> node.state() == Node.State.ACKED).count();
    int absent = remembered.size();
    String progress =
        acked
            + "/"
            + size
            + " nodes"
            + (absent == 0 ? "" : " (" + absent + " not reconnected since the host restarted)");
    if (acked >= Math.ceil(rules.minFraction() * size)) {
      return new Result(Verification.converged(progress), record);
    }
    String waiting = "waiting for " + lagging(fleet);
    if (late) {
      return new Result(
          Verification.failed(
              "only "
                  + progress
                  + " have RouteConfiguration '"
                  + routes
                  + "' at generation "
                  + generation
                  + " with its listeners, clusters and endpoints after "
                  + rules.verifyTimeout().toSeconds()
                  + "s; "
                  + waiting),
          record);
    }
    return new Result(Verification.pending(progress + "; " + waiting + until(deadline)), record);
  }

  /** {@code edge-2 (lacks Cluster 'reviews-v2'), edge-3 (...) and 4 more}. */
  private static String lagging(Map<String, Node> fleet) {
    List<String> named = new ArrayList<>();
    long count = 0;
    for (Node node : fleet.values()) {
      if (node.state() == Node.State.LAGGING) {
        count++;
        if (named.size() < NAMED) {
          named.add(node.id() + " (" + node.reason() + ")");
        }
      }
    }
    String text = named.stream().collect(Collectors.joining(", "));
    return count > named.size() ? text + " and " + (count - named.size()) + " more" : text;
  }

  private static String until(Optional<Instant> deadline) {
    return deadline
        .map(at -> "; gives up at " + at.truncatedTo(ChronoUnit.SECONDS))
        .orElse("; no deadline: this change was in force before the host restarted");
  }
}
