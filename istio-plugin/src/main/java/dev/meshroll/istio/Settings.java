package dev.meshroll.istio;

import dev.meshroll.api.RouterException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The router's block in the host config ({@code plugins: {istio: {...}}}).
 *
 * @param kubeconfig the kubeconfig file; without it, the usual rules ({@code KUBECONFIG}, {@code
 *     ~/.kube/config}, the in-cluster service account)
 * @param context the kubeconfig context; without it, the current one
 * @param namespace where objects named without a namespace live; without it, the rollout's
 * @param apiVersion the {@code networking.istio.io} version to read and write: {@code v1} (Istio
 *     1.22 and later, the default), {@code v1beta1} or {@code v1alpha3}
 */
record Settings(
    Optional<Path> kubeconfig,
    Optional<String> context,
    Optional<String> namespace,
    String apiVersion) {

  static final Settings DEFAULTS =
      new Settings(Optional.empty(), Optional.empty(), Optional.empty(), "v1");

  private static final Set<String> FIELDS =
      Set.of("kubeconfig", "context", "namespace", "apiVersion");
  private static final List<String> API_VERSIONS = List.of("v1", "v1beta1", "v1alpha3");

  /**
   * Binds the settings block; relative paths are relative to {@code configDirectory}.
   *
   * @throws RouterException naming every unknown key and wrong value
   */
  static Settings from(Map<String, Object> settings, Path configDirectory) throws RouterException {
    for (String key : settings.keySet()) {
      if (!FIELDS.contains(key)) {
        throw new RouterException(
            "istio: unknown setting '"
                + key
                + "' (expected one of: "
                + new TreeSet<>(FIELDS)
                + ")");
      }
    }
    String apiVersion =
        text(settings, "apiVersion").orElse("v1").replace("networking.istio.io/", "");
    if (!API_VERSIONS.contains(apiVersion)) {
      throw new RouterException(
          "istio: setting apiVersion '"
              + settings.get("apiVersion")
              + "' is not a networking.istio.io version (expected one of: "
              + API_VERSIONS
              + ")");
    }
    return new Settings(
        text(settings, "kubeconfig").map(configDirectory::resolve),
        text(settings, "context"),
        text(settings, "namespace"),
        apiVersion);
  }

  private static Optional<String> text(Map<String, Object> settings, String key)
      throws RouterException {
    Object value = settings.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw new RouterException("istio: setting " + key + " must be a non-empty string");
    }
    return Optional.of(text);
  }
}
