package dev.meshroll.smi;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.StringMatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code spec} of the HTTPRouteGroup that holds one header route's conditions. Pure.
 *
 * <p>SMI compares a header with a regular expression, and a route group's matches are OR-ed, as a
 * header route's conditions are: one match per condition keeps the meaning exactly.
 */
final class HttpRouteGroups {
  private static final String SPECIAL = "\\.+*?()|[]{}^$";

  private HttpRouteGroups() {}

  static Map<String, Object> spec(HeaderRoute route) {
    List<Object> matches = new ArrayList<>();
    for (int i = 0; i < route.match().size(); i++) {
      HeaderMatch condition = route.match().get(i);
      Map<String, Object> match = new LinkedHashMap<>();
      match.put("name", route.name() + "-" + (i + 1));
      match.put("headers", Map.of(condition.headerName(), regex(condition.headerValue())));
      matches.add(match);
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("matches", matches);
    return spec;
  }

  /**
   * The header's condition as a regular expression, anchored at both ends so that it means the same
   * whether a mesh searches for it or matches it whole (Envoy does the latter).
   */
  static String regex(StringMatch match) {
    return switch (match.kind()) {
      case EXACT -> "^" + quote(match.value()) + "$";
      case PREFIX -> "^" + quote(match.value()) + ".*";
      case REGEX -> match.value();
    };
  }

  /**
   * {@code value} with each metacharacter escaped by a backslash, as every regex dialect reads it.
   */
  private static String quote(String value) {
    StringBuilder quoted = new StringBuilder(value.length() + 8);
    for (char c : value.toCharArray()) {
      if (SPECIAL.indexOf(c) >= 0) {
        quoted.append('\\');
      }
      quoted.append(c);
    }
    return quoted.toString();
  }
}
