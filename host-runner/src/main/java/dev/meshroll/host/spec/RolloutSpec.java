package dev.meshroll.host.spec;

import dev.meshroll.api.RolloutRef;

/**
 * A parsed, valid {@code Rollout} document.
 *
 * @param file where it was read from, for messages
 * @param ref its namespace and name
 * @param revision a digest of its {@code spec}: a different revision starts a new rollout
 * @param strategy how it moves traffic
 */
public record RolloutSpec(String file, RolloutRef ref, String revision, Strategy strategy) {}
