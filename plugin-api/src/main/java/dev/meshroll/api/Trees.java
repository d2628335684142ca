package dev.meshroll.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deep, order-keeping, unmodifiable copies of config and mesh-object trees. */
final class Trees {
  private Trees() {}

  static Map<String, Object> freeze(Map<String, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((key, value) -> copy.put(key, freezeValue(value)));
    return Collections.unmodifiableMap(copy);
  }

  private static Object freezeValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, item) -> copy.put(String.valueOf(key), freezeValue(item)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(item -> copy.add(freezeValue(item)));
      return Collections.unmodifiableList(copy);
    }
    return value;
  }
}
