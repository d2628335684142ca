package dev.meshroll.api;

import java.util.Objects;

/**
 * Names one rollout: its namespace and name, as in the spec's {@code metadata}.
 *
 * @param namespace the rollout's namespace; never blank
 * @param name the rollout's name; never blank
 */
public record RolloutRef(String namespace, String name) {
  public RolloutRef {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    if (namespace.isBlank() || name.isBlank()) {
      throw new IllegalArgumentException("rollout namespace and name must not be blank");
    }
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
