package dev.meshroll.smi;

import java.util.Locale;
import java.util.Map;

/**
 * Names one Kubernetes object the router may write.
 *
 * @param apiVersion group and version, e.g. {@code split.smi-spec.io/v1alpha3}
 * @param kind {@code TrafficSplit} or {@code HTTPRouteGroup}
 * @param namespace the object's namespace
 * @param name the object's name
 */
record ObjectRef(String apiVersion, String kind, String namespace, String name) {

  String group() {
    return apiVersion.substring(0, apiVersion.indexOf('/'));
  }

  String version() {
    return apiVersion.substring(apiVersion.indexOf('/') + 1);
  }

  /** The resource's plural, as the API server's paths spell it: {@code trafficsplits}. */
  String plural() {
    return kind.toLowerCase(Locale.ROOT) + "s";
  }

  /**
   * Whether {@code object} is this object, in any version of its group: objects read from files for
   * {@code meshroll plan} may have no namespace, and then stand for the one in force.
   */
  boolean names(Map<String, Object> object) {
    Object objectApiVersion = object.get("apiVersion");
    if (!(objectApiVersion instanceof String text) || !text.startsWith(group() + "/")) {
      return false;
    }
    if (!kind.equals(object.get("kind")) || !(object.get("metadata") instanceof Map<?, ?> meta)) {
      return false;
    }
    Object objectNamespace = meta.get("namespace");
    return name.equals(meta.get("name"))
        && (objectNamespace == null || namespace.equals(objectNamespace));
  }

  @Override
  public String toString() {
    return kind + " " + namespace + "/" + name;
  }
}
