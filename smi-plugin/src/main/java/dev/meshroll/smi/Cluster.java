package dev.meshroll.smi;

import dev.meshroll.api.RouterException;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
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
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * SMI objects and Services through the Kubernetes API. Objects are read and written as plain trees
 * (generic resources): SMI has no model in fabric8, and fields the router does not own must come
 * back exactly as they were.
 */
final class Cluster {
  private static final int NOT_FOUND = 404;
  private static final int CONFLICT = 409;

  private final KubernetesClient client;

  Cluster(KubernetesClient client) {
    this.client = client;
  }

  /**
   * A client by the usual kubeconfig / in-cluster rules, or from the settings' kubeconfig and
   * context.
   *
   * @throws RouterException when the kubeconfig is missing, unreadable or lacks the context
   */
  static KubernetesClient connect(Settings settings) throws RouterException {
    String context = settings.context().orElse(null);
    Config config;
    try {
      if (settings.kubeconfig().isPresent()) {
        if (!Files.isRegularFile(settings.kubeconfig().get())) {
          throw new RouterException(
              "smi: kubeconfig " + settings.kubeconfig().get() + " does not exist");
        }
        config = Config.fromKubeconfig(context, settings.kubeconfig().get().toFile());
      } else {
        config = Config.autoConfigure(context);
      }
    } catch (KubernetesClientException e) {
      throw new RouterException("smi: cannot read the kubeconfig: " + e.getMessage(), e);
    }
    if (context != null) {
      // fabric8 quietly keeps the current context when the named one is missing: the router would
      // then write to whatever cluster that is.
      NamedContext current = config.getCurrentContext();
      if (current == null || !context.equals(current.getName())) {
        Set<String> known = new TreeSet<>();
        if (config.getContexts() != null) {
          config.getContexts().forEach(named -> known.add(named.getName()));
        }
        throw new RouterException(
            "smi: context '"
                + context
                + "' is not in the kubeconfig (expected one of: "
                + known
                + ")");
      }
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Each object of {@code refs} that exists, as a tree; missing ones are left out. */
  @SuppressWarnings("unchecked")
  List<Map<String, Object>> read(List<ObjectRef> refs) throws RouterException {
    List<Map<String, Object>> found = new ArrayList<>();
    for (ObjectRef ref : refs) {
      try {
        GenericKubernetesResource resource = resource(ref).get();
        if (resource != null) {
          found.add(client.getKubernetesSerialization().convertValue(resource, Map.class));
        }
      } catch (KubernetesClientException e) {
        throw new RouterException("smi: cannot read " + ref + ": " + reason(e), e);
      }
    }
    return found;
  }

  /**
   * Creates {@code object}, or replaces it guarded by the resourceVersion it was read with.
   *
   * @param exists whether the object was there when read
   * @return false when someone else created or changed it since (409 Conflict): read it again
   */
  boolean write(ObjectRef ref, Map<String, Object> object, boolean exists) throws RouterException {
    GenericKubernetesResource resource =
        client.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class);
    try {
      if (exists) {
        resources(ref).resource(resource).update();
      } else {
        resources(ref).resource(resource).create();
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == CONFLICT) {
        return false;
      }
      throw new RouterException(
          "smi: cannot " + (exists ? "replace " : "create ") + ref + ": " + reason(e), e);
    }
  }

  /** Deletes {@code ref}; one that is gone already is no error. */
  void delete(ObjectRef ref) throws RouterException {
    try {
      resource(ref).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != NOT_FOUND) {
        throw new RouterException("smi: cannot delete " + ref + ": " + reason(e), e);
      }
    }
  }

  /** Whether the Service exists. */
  boolean hasService(String namespace, String name) throws RouterException {
    try {
      return client.services().inNamespace(namespace).withName(name).get() != null;
    } catch (KubernetesClientException e) {
      throw new RouterException(
          "smi: cannot read Service " + namespace + "/" + name + ": " + reason(e), e);
    }
  }

  /** The versions of {@code group} the API server serves (its discovery endpoint); maybe none. */
  List<String> served(String group) throws RouterException {
    APIGroup found;
    try {
      found = client.getApiGroup(group);
    } catch (KubernetesClientException e) {
      if (e.getCode() == NOT_FOUND) {
        return List.of();
      }
      throw new RouterException(
          "smi: cannot ask the API server which " + group + " versions it serves: " + reason(e), e);
    }
    if (found == null || found.getVersions() == null) {
      return List.of();
    }
    return found.getVersions().stream()
        .map(GroupVersionForDiscovery::getVersion)
        .filter(Objects::nonNull)
        .toList();
  }

  KubernetesClient client() {
    return client;
  }

  void close() {
    client.close();
  }

  private Resource<GenericKubernetesResource> resource(ObjectRef ref) {
    return resources(ref).withName(ref.name());
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources(ObjectRef ref) {
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(ref.group())
            .withVersion(ref.version())
            .withKind(ref.kind())
            .withPlural(ref.plural())
            .withNamespaced(true)
            .build();
    return client.genericKubernetesResources(context).inNamespace(ref.namespace());
  }

  /** The API server's own words and the HTTP code, without fabric8's request dump. */
  private static String reason(KubernetesClientException e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof InterruptedException) {
        return "interrupted (the call ran past its timeout, or the host is stopping)";
      }
    }
    String message =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : String.valueOf(e.getMessage());
    return e.getCode() > 0 ? message + " (HTTP " + e.getCode() + ")" : message;
  }
}
