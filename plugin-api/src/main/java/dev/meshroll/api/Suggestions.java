package dev.meshroll.api;

import java.util.Collection;
import java.util.Optional;

/**
 * Finds the known name a user most likely meant when writing an unknown one: the host and plugins
 * use it so that every "unknown field" message of a spec can say "did you mean ...".
 */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The known name nearest to {@code unknown}, if it is near enough to be a typo or a shortened
   * form ({@code rollbackWindow} for {@code rollbackWindowSeconds}).
   */
  public static Optional<String> nearest(String unknown, Collection<String> known) {
    if (unknown.length() >= 4) {
      for (String candidate : known) {
        if (candidate.toLowerCase().startsWith(unknown.toLowerCase())) {
          return Optional.of(candidate);
        }
      }
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(unknown.toLowerCase(), candidate.toLowerCase());
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    int tolerated = Math.max(2, Math.min(unknown.length(), best == null ? 0 : best.length()) / 3);
    return bestDistance <= tolerated ? Optional.of(best) : Optional.empty();
  }

  /** Levenshtein distance, in two rows. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
