package dev.meshroll.smi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deep copies and small edits of Kubernetes objects as plain, order-keeping trees. */
final class Trees {
  private Trees() {}

  /** A mutable deep copy, so that the caller's tree (often unmodifiable) stays as it was. */
  static Map<String, Object> copy(Map<?, ?> tree) {
    Map<String, Object> copy = new LinkedHashMap<>();
    tree.forEach((key, value) -> copy.put(String.valueOf(key), copyValue(value)));
    return copy;
  }

  /** The map under {@code key}, created (and put in place of a non-map) when missing. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> child(Map<String, Object> tree, String key) {
    Object value = tree.get(key);
    if (value instanceof Map<?, ?>) {
      return (Map<String, Object>) value;
    }
    Map<String, Object> child = new LinkedHashMap<>();
    tree.put(key, child);
    return child;
  }

  /** The value under {@code key} of the map under {@code parent}, or null. */
  static Object at(Map<?, ?> tree, String parent, String key) {
    return tree.get(parent) instanceof Map<?, ?> map ? map.get(key) : null;
  }

  private static Object copyValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      return copy(map);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(item -> copy.add(copyValue(item)));
      return copy;
    }
    return value;
  }
}
