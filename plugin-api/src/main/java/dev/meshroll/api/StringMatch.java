package dev.meshroll.api;

import java.util.Objects;

/**
 * How one string of a request (a header value, the method, the path) must look to match: exactly
 * {@code value}, starting with it, or matching it as a regular expression in RE2 syntax, as Envoy,
 * gRPC and Istio read it (no lookaround or back-references; {@code (?P<name>...)} groups). The host
 * refuses a spec whose regex RE2 does not compile; this record does not check it, so a router that
 * writes regexes to such a data plane checks them again.
 *
 * @param kind how {@code value} is compared
 * @param value the string to compare with; never empty
 */
public record StringMatch(Kind kind, String value) {
  /** The comparisons a mesh offers on request strings. */
  public enum Kind {
    EXACT,
    PREFIX,
    REGEX
  }

  public StringMatch {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a " + kind + " match needs a non-empty value");
    }
  }

  public static StringMatch exact(String value) {
    return new StringMatch(Kind.EXACT, value);
  }

  public static StringMatch prefix(String value) {
    return new StringMatch(Kind.PREFIX, value);
  }

  public static StringMatch regex(String value) {
    return new StringMatch(Kind.REGEX, value);
  }
}
