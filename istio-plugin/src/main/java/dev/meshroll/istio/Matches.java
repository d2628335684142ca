package dev.meshroll.istio;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.RequestMatch;
import dev.meshroll.api.StringMatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Istio {@code HTTPMatchRequest}s for managed routes. Pure.
 *
 * <p>A managed route stands at the top of the route list, so it would also catch requests meant for
 * the routes above the one it is derived from. It therefore matches the base route's own conditions
 * AND its own: {@link #within} builds that conjunction.
 */
final class Matches {
  private static final List<String> STRING_FIELDS = List.of("method", "uri");

  private Matches() {}

  /** One match request per header condition, so that the conditions are OR'ed. */
  static List<Map<String, Object>> forHeaders(List<HeaderMatch> conditions) {
    List<Map<String, Object>> matches = new ArrayList<>();
    for (HeaderMatch condition : conditions) {
      Map<String, Object> headers = new LinkedHashMap<>();
      headers.put(condition.headerName(), string(condition.headerValue()));
      Map<String, Object> match = new LinkedHashMap<>();
      match.put("headers", headers);
      matches.add(match);
    }
    return matches;
  }

  /** One match request per request condition; within one, method, path and headers are AND'ed. */
  static List<Map<String, Object>> forRequests(List<RequestMatch> conditions) {
    List<Map<String, Object>> matches = new ArrayList<>();
    for (RequestMatch condition : conditions) {
      Map<String, Object> match = new LinkedHashMap<>();
      condition.method().ifPresent(method -> match.put("method", string(method)));
      condition.path().ifPresent(path -> match.put("uri", string(path)));
      if (!condition.headers().isEmpty()) {
        // Sorted: the record's map has no stable order, and the rendering must not vary.
        Map<String, Object> headers = new LinkedHashMap<>();
        new TreeMap<>(condition.headers())
            .forEach((name, value) -> headers.put(name, string(value)));
        match.put("headers", headers);
      }
      matches.add(match);
    }
    return matches;
  }

  /**
   * Every match request of {@code base} combined with every one of {@code conditions}; pairs that
   * can never both hold (two different exact paths, say) are left out.
   *
   * @throws IllegalArgumentException when a pair cannot be combined into one match request (two
   *     different regular expressions on one field), or when no pair can ever match
   */
  static List<Map<String, Object>> within(
      List<Map<String, Object>> base, List<Map<String, Object>> conditions) {
    if (base.isEmpty()) {
      return Trees.copy(conditions);
    }
    List<Map<String, Object>> combined = new ArrayList<>();
    for (Map<String, Object> outer : base) {
      for (Map<String, Object> inner : conditions) {
        both(outer, inner).ifPresent(combined::add);
      }
    }
    if (combined.isEmpty()) {
      throw new IllegalArgumentException("its conditions exclude every match of that route");
    }
    return combined;
  }

  private static Optional<Map<String, Object>> both(
      Map<String, Object> outer, Map<String, Object> inner) {
    Map<String, Object> match = Trees.copy(outer);
    for (String field : STRING_FIELDS) {
      if (inner.containsKey(field)) {
        Optional<Map<String, Object>> value =
            both(field, Trees.map(outer, field), Trees.map(inner, field));
        if (value.isEmpty()) {
          return Optional.empty();
        }
        match.put(field, value.get());
      }
    }
    Map<String, Object> headers = Trees.copy(Trees.map(outer, "headers"));
    for (Map.Entry<String, Object> header : Trees.map(inner, "headers").entrySet()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> value = (Map<String, Object>) header.getValue();
      Optional<Map<String, Object>> combined =
          both("header " + header.getKey(), Trees.map(headers, header.getKey()), value);
      if (combined.isEmpty()) {
        return Optional.empty();
      }
      headers.put(header.getKey(), combined.get());
    }
    if (!headers.isEmpty()) {
      match.put("headers", headers);
    }
    return Optional.of(match);
  }

  /** Both string matches at once: the stricter one, or nothing when they exclude each other. */
  private static Optional<Map<String, Object>> both(
      String field, Map<String, Object> a, Map<String, Object> b) {
    if (a.isEmpty() || Trees.same(a, b)) {
      return Optional.of(Trees.copy(b));
    }
    if (b.isEmpty()) {
      return Optional.of(Trees.copy(a));
    }
    String kindA = kind(a);
    String kindB = kind(b);
    if (kindA.equals("regex") || kindB.equals("regex") || kindA.isEmpty() || kindB.isEmpty()) {
      throw new IllegalArgumentException(
          "cannot match "
              + field
              + " "
              + describe(a)
              + " and "
              + describe(b)
              + " in one match request");
    }
    String valueA = String.valueOf(a.get(kindA));
    String valueB = String.valueOf(b.get(kindB));
    if (kindA.equals("exact") && kindB.equals("exact")) {
      return Optional.empty(); // different values: not the same, see above
    }
    if (kindA.equals("exact")) {
      return valueA.startsWith(valueB) ? Optional.of(Trees.copy(a)) : Optional.empty();
    }
    if (kindB.equals("exact")) {
      return valueB.startsWith(valueA) ? Optional.of(Trees.copy(b)) : Optional.empty();
    }
    if (valueA.startsWith(valueB)) {
      return Optional.of(Trees.copy(a));
    }
    return valueB.startsWith(valueA) ? Optional.of(Trees.copy(b)) : Optional.empty();
  }

  private static String describe(Map<String, Object> match) {
    String kind = kind(match);
    return kind.isEmpty() ? String.valueOf(match) : kind + " '" + match.get(kind) + "'";
  }

  private static String kind(Map<String, Object> match) {
    if (match.size() != 1) {
      return "";
    }
    String kind = match.keySet().iterator().next();
    return List.of("exact", "prefix", "regex").contains(kind) ? kind : "";
  }

  private static Map<String, Object> string(StringMatch match) {
    Map<String, Object> string = new LinkedHashMap<>();
    string.put(match.kind().name().toLowerCase(Locale.ROOT), match.value());
    return string;
  }
}
