package dev.meshroll.smi;

import dev.meshroll.api.RouterException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The router's block in the host config ({@code plugins: {smi: {...}}}).
 *
 * @param kubeconfig the kubeconfig file; without it, the usual rules ({@code KUBECONFIG}, {@code
 *     ~/.kube/config}, the in-cluster service account)
 * @param context the kubeconfig context; without it, the current one
 * @param namespace where the TrafficSplits and Services live; without it, each rollout's namespace
 */
record Settings(Optional<Path> kubeconfig, Optional<String> context, Optional<String> namespace) {

  static final Settings DEFAULTS =
      new Settings(Optional.empty(), Optional.empty(), Optional.empty());

  private static final Set<String> KEYS = Set.of("kubeconfig", "context", "namespace");

  /**
   * Binds the settings block; a relative kubeconfig is relative to {@code configDirectory}.
   *
   * @throws RouterException naming the first unknown key or wrong value
   */
  static Settings from(Map<String, Object> settings, Path configDirectory) throws RouterException {
    for (String key : settings.keySet()) {
      if (!KEYS.contains(key)) {
        throw new RouterException(
            "smi: unknown setting '" + key + "' (expected one of: " + new TreeSet<>(KEYS) + ")");
      }
    }
    return new Settings(
        text(settings, "kubeconfig").map(configDirectory::resolve),
        text(settings, "context"),
        text(settings, "namespace"));
  }

  private static Optional<String> text(Map<String, Object> settings, String key)
      throws RouterException {
    Object value = settings.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw new RouterException(
          "smi: setting " + key + " must be a non-empty string, not '" + value + "'");
    }
    return Optional.of(text);
  }
}
