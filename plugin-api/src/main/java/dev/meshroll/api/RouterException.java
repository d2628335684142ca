package dev.meshroll.api;

/**
 * A router call could not be carried out: the mesh API refused or could not be reached, an object
 * the config names is missing. The host fails the rollout's current step with this message, so it
 * should name the object and the reason, as a user would act on it.
 */
public class RouterException extends Exception {
  private static final long serialVersionUID = 1L;

  public RouterException(String message) {
    super(message);
  }

  public RouterException(String message, Throwable cause) {
    super(message, cause);
  }
}
