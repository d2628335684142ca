package dev.meshroll.istio;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reading and copying the plain {@code Map}/{@code List} trees that mesh objects are made of. Pure.
 */
final class Trees {
  private Trees() {}

  /** A deep, order-keeping, mutable copy. */
  @SuppressWarnings("unchecked")
  static <T> T copy(T value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, item) -> copy.put(String.valueOf(key), copy(item)));
      return (T) copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(item -> copy.add(copy(item)));
      return (T) copy;
    }
    return value;
  }

  /**
   * Deep equality that compares numbers by value: the API server may hand back {@code 100} for the
   * {@code 100.0} we wrote, and that is no difference worth a write.
   */
  static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y && finite(x) && finite(y)) {
      return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (!x.keySet().equals(y.keySet())) {
        return false;
      }
      return x.entrySet().stream().allMatch(e -> same(e.getValue(), y.get(e.getKey())));
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }

  private static boolean finite(Number number) {
    return Double.isFinite(number.doubleValue());
  }

  /** The map under {@code key}, or an empty one when it is absent or not a map. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, ?> tree, String key) {
    return tree.get(key) instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  /** The maps of the list under {@code key}; entries that are not maps are left out. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Map<String, ?> tree, String key) {
    List<Map<String, Object>> maps = new ArrayList<>();
    if (tree.get(key) instanceof List<?> list) {
      list.stream()
          .filter(Map.class::isInstance)
          .forEach(item -> maps.add((Map<String, Object>) item));
    }
    return maps;
  }

  /** The text under {@code key}, if it is a non-empty string. */
  static Optional<String> text(Map<String, ?> tree, String key) {
    return tree.get(key) instanceof String text && !text.isEmpty()
        ? Optional.of(text)
        : Optional.empty();
  }

  /** The whole number under {@code key}, or {@code fallback} when absent. */
  static int number(Map<String, ?> tree, String key, int fallback) {
    return tree.get(key) instanceof Number number ? number.intValue() : fallback;
  }
}
