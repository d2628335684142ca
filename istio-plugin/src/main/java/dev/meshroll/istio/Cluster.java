package dev.meshroll.istio;

import dev.meshroll.api.RouterException;
import dev.meshroll.istio.IstioConfig.ObjectRef;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Istio objects through the Kubernetes API, read and written as plain trees.
 *
 * <p>Generic resources rather than istio-client's typed model: a typed round trip keeps the values
 * but sorts every object's keys and rewrites number forms ({@code value: 5} becomes {@code 5.0}),
 * while the fields the plugin does not own must stay exactly as found.
 */
final class Cluster {
  private static final int CONFLICT = 409;

  private final KubernetesClient client;
  private final String apiVersion;

  Cluster(KubernetesClient client, String apiVersion) {
    this.client = client;
    this.apiVersion = apiVersion;
  }

  /**
   * A client by the usual kubeconfig / in-cluster rules, or from the settings' kubeconfig and
   * context.
   *
   * @throws RouterException when the kubeconfig is missing or lacks the context
   */
  static KubernetesClient connect(Settings settings) throws RouterException {
    Config config;
    try {
      if (settings.kubeconfig().isPresent()) {
        if (!Files.isRegularFile(settings.kubeconfig().get())) {
          throw new RouterException(
              "istio: kubeconfig " + settings.kubeconfig().get() + " does not exist");
        }
        config =
            Config.fromKubeconfig(
                settings.context().orElse(null), settings.kubeconfig().get().toFile());
      } else {
        config = Config.autoConfigure(settings.context().orElse(null));
      }
    } catch (KubernetesClientException e) {
      throw new RouterException("istio: cannot read the kubeconfig: " + e.getMessage(), e);
    }
    if (settings.context().isPresent()) {
      // fabric8 falls back to the current context when the named one is missing; that would
      // silently point the router at another cluster.
      NamedContext current = config.getCurrentContext();
      if (current == null || !settings.context().get().equals(current.getName())) {
        Set<String> known = new TreeSet<>();
        Optional.ofNullable(config.getContexts())
            .ifPresent(contexts -> contexts.forEach(c -> known.add(c.getName())));
        throw new RouterException(
            "istio: context '"
                + settings.context().get()
                + "' is not in the kubeconfig (expected one of: "
                + known
                + ")");
      }
    }
    try {
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (KubernetesClientException e) {
      throw new RouterException("istio: cannot create a Kubernetes client: " + e.getMessage(), e);
    }
  }

  /** Each object of {@code refs} that exists, as a tree; missing ones are left out. */
  List<Map<String, Object>> read(List<ObjectRef> refs) throws RouterException {
    List<Map<String, Object>> found = new ArrayList<>();
    for (ObjectRef ref : refs) {
      read(ref).ifPresent(found::add);
    }
    return found;
  }

  @SuppressWarnings("unchecked")
  Optional<Map<String, Object>> read(ObjectRef ref) throws RouterException {
    try {
      GenericKubernetesResource resource = resources(ref).withName(ref.name()).get();
      if (resource == null) {
        return Optional.empty();
      }
      return Optional.of(client.getKubernetesSerialization().convertValue(resource, Map.class));
    } catch (KubernetesClientException e) {
      throw new RouterException("istio: cannot read " + ref + ": " + reason(e), e);
    }
  }

  /**
   * Replaces {@code ref} with {@code object}, guarded by the resourceVersion it was read with.
   *
   * @return false when the object changed since it was read (409 Conflict): read it again
   */
  boolean write(ObjectRef ref, Map<String, Object> object) throws RouterException {
    try {
      GenericKubernetesResource resource =
          client.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class);
      resources(ref).resource(resource).update();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == CONFLICT) {
        return false;
      }
      throw new RouterException("istio: cannot write " + ref + ": " + reason(e), e);
    }
  }

  KubernetesClient client() {
    return client;
  }

  void close() {
    client.close();
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources(ObjectRef ref) {
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup("networking.istio.io")
            .withVersion(apiVersion)
            .withKind(ref.kind())
            .withPlural(ref.kind().toLowerCase(Locale.ROOT) + "s")
            .withNamespaced(true)
            .build();
    return client.genericKubernetesResources(context).inNamespace(ref.namespace());
  }

  /** The API server's own words and the HTTP code, without fabric8's request dump. */
  private static String reason(KubernetesClientException e) {
    String message =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : String.valueOf(e.getMessage());
    return e.getCode() > 0 ? message + " (HTTP " + e.getCode() + ")" : message;
  }
}
