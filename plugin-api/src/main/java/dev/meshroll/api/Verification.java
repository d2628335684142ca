package dev.meshroll.api;

import java.util.Objects;

/**
 * A router's answer to "does the data plane serve this intent?" (see {@link TrafficRouter#verify}).
 *
 * @param state the answer
 * @param detail for {@code PENDING} the progress as people read it ("812/1000 proxies"), for {@code
 *     FAILED} the data plane's own reason (an Envoy NACK's error detail, a webhook's refusal), for
 *     {@code CONVERGED} optionally how far ("1000/1000 proxies"); empty otherwise
 */
public record Verification(State state, String detail) {
  /** The possible answers. */
  public enum State {
    /** The data plane serves the intent; the step may go on. */
    CONVERGED,
    /** Not yet everywhere; ask again later. */
    PENDING,
    /** The data plane refused the intent; the rollout aborts with {@code detail}. */
    FAILED,
    /** This router cannot tell; the host treats the intent as served once applied. */
    UNSUPPORTED
  }

  public Verification {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(detail, "detail");
  }

  public static Verification converged() {
    return new Verification(State.CONVERGED, "");
  }

  /** Converged, saying how far, e.g. {@code 998/1000 proxies} with a minimum fraction. */
  public static Verification converged(String progress) {
    return new Verification(State.CONVERGED, progress);
  }

  public static Verification pending(String progress) {
    return new Verification(State.PENDING, progress);
  }

  public static Verification failed(String reason) {
    return new Verification(State.FAILED, reason);
  }

  public static Verification unsupported() {
    return new Verification(State.UNSUPPORTED, "");
  }

  /** Whether the step that waits for this answer may go on. */
  public boolean settled() {
    return state == State.CONVERGED || state == State.UNSUPPORTED;
  }
}
