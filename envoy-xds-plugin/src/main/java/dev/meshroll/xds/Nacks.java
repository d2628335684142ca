package dev.meshroll.xds;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which resources of a rejected response a client rejected. Envoy and gRPC's clients (since gRFC
 * A46) reject only the invalid resources of a response, keep using the valid ones, and say which
 * they rejected in the NACK's message: by name ("Error adding/updating cluster(s) reviews-v2: ..."
 * from Envoy, "CDS response Cluster 'reviews-v2' validation error ..." from grpc-java) or by
 * position ("resource index 0: Cluster message validation failed ..." from grpc-js). Pure.
 */
final class Nacks {
  private static final Pattern INDEX = Pattern.compile("resource index (\\d{1,9})\\b");

  private Nacks() {}

  /**
   * The names of {@code sent} (in the order the response carried them) that {@code message}
   * mentions: as a whole word (not as part of a longer name: {@code reviews-v1} is not in {@code
   * reviews-v10}), or by index. Empty when it names none: then the client rejected the whole
   * response.
   */
  static Set<String> named(String message, List<String> sent) {
    Set<String> named = new TreeSet<>();
    Matcher index = INDEX.matcher(message);
    while (index.find()) {
      int at = Integer.parseInt(index.group(1));
      if (at < sent.size()) {
        named.add(sent.get(at));
      }
    }
    for (String name : sent) {
      for (int at = message.indexOf(name); at >= 0; at = message.indexOf(name, at + 1)) {
        int end = at + name.length();
        if ((at == 0 || !partOfName(message, at - 1)) && !partOfName(message, end)) {
          named.add(name);
          break;
        }
      }
    }
    return named;
  }

  /**
   * Whether the character at {@code index} would continue a name there: a letter, a digit, {@code
   * -}, {@code _}, or a dot followed by one of those (a dot that ends a sentence ends the name).
   */
  private static boolean partOfName(String message, int index) {
    if (index < 0 || index >= message.length()) {
      return false;
    }
    char c = message.charAt(index);
    if (c == '.') {
      return index + 1 < message.length() && continues(message.charAt(index + 1));
    }
    return continues(c);
  }

  private static boolean continues(char c) {
    return Character.isLetterOrDigit(c) || c == '-' || c == '_';
  }
}
