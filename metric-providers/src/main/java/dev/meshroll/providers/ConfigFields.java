package dev.meshroll.providers;

import dev.meshroll.api.Suggestions;
import dev.meshroll.api.ValidationProblem;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads one provider block: hands out values of the expected types and records every problem
 * (missing, wrongly typed or unknown key, bad value) with its field path, so that one pass finds
 * them all.
 *
 * <p>A template's block is read before its {@code {{args.NAME}}} references are substituted: a
 * value that holds one is then taken as it is, or, where it must first be parsed (a URL, a
 * duration, a number), left unchecked and not handed out. {@link #complete()} says whether every
 * value could be read.
 */
final class ConfigFields {
  private static final Pattern DURATION =
      Pattern.compile("(?:(\\d{1,9})h)?(?:(\\d{1,9})m)?(?:(\\d{1,9})s)?(?:(\\d{1,9})ms)?");
  private static final List<String> HEADER_KEYS = List.of("key", "value");

  private final Map<String, Object> config;
  private final boolean argsPending;
  private final List<ValidationProblem> problems = new ArrayList<>();
  private boolean deferred;

  private ConfigFields(Map<String, Object> config, boolean argsPending, List<String> known) {
    this.config = config;
    this.argsPending = argsPending;
    unknownKeys("", config, known);
  }

  /** A template's block, whose {@code {{args.NAME}}} references are not substituted yet. */
  static ConfigFields ofTemplate(Map<String, Object> config, List<String> known) {
    return new ConfigFields(config, true, known);
  }

  /** A block ready to be measured: every value must be complete and valid. */
  static ConfigFields ofQuery(Map<String, Object> config, List<String> known) {
    return new ConfigFields(config, false, known);
  }

  /** One HTTP header to send. */
  record Header(String key, String value) {}

  List<ValidationProblem> problems() {
    return List.copyOf(problems);
  }

  /** The failure of a measurement whose block is invalid, with every problem on one line. */
  CannotMeasure invalid(String provider) {
    return new CannotMeasure(
        "invalid "
            + provider
            + " config: "
            + problems.stream().map(ValidationProblem::toString).collect(Collectors.joining("; ")));
  }

  /** Whether every value was read and is valid: no problem, and none left for substitution. */
  boolean complete() {
    return problems.isEmpty() && !deferred;
  }

  boolean has(String key) {
    return config.get(key) != null;
  }

  /** A required string that is not blank. */
  Optional<String> requiredString(String key) {
    Optional<String> text = require(key) ? string(key) : Optional.empty();
    if (text.isPresent() && text.get().isBlank()) {
      problems.add(new ValidationProblem(key, "must not be empty"));
      return Optional.empty();
    }
    return text;
  }

  Optional<String> string(String key) {
    return has(key) ? string(key, config.get(key)) : Optional.empty();
  }

  /** A required http or https URL. */
  Optional<URI> url(String key) {
    return require(key) ? parsed(key, ConfigFields::parseHttpUrl) : Optional.empty();
  }

  /**
   * A string that {@code parser} turns into a value, or refuses with an {@link
   * IllegalArgumentException} whose message says what is wrong.
   */
  <T> Optional<T> parsed(String key, Parser<T> parser) {
    Optional<String> text = string(key);
    if (text.isEmpty() || defer(text.get())) {
      return Optional.empty();
    }
    try {
      return Optional.of(parser.parse(text.get()));
    } catch (IllegalArgumentException e) {
      problems.add(new ValidationProblem(key, e.getMessage()));
      return Optional.empty();
    }
  }

  /** Turns a config string into a value. */
  @FunctionalInterface
  interface Parser<T> {
    T parse(String text);
  }

  /** A whole number; a string of digits counts too, because a substituted argument is a string. */
  Optional<Integer> integer(String key, int min, int max) {
    if (!has(key)) {
      return Optional.empty();
    }
    Object value = config.get(key);
    BigInteger number;
    if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
      number = new BigInteger(value.toString());
    } else if (value instanceof String text && text.matches("\\d{1,18}")) {
      number = new BigInteger(text);
    } else {
      if (!(value instanceof String text && defer(text))) {
        problems.add(new ValidationProblem(key, "expected a whole number, got " + describe(value)));
      }
      return Optional.empty();
    }
    if (number.compareTo(BigInteger.valueOf(min)) < 0
        || number.compareTo(BigInteger.valueOf(max)) > 0) {
      problems.add(
          new ValidationProblem(
              key, number + " is out of range (expected " + min + " to " + max + ")"));
      return Optional.empty();
    }
    return Optional.of(number.intValue());
  }

  /**
   * A duration longer than zero, written as {@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h30m},
   * or a number of seconds (Argo Rollouts' prometheus {@code timeout}).
   */
  Optional<Duration> duration(String key) {
    Object value = config.get(key);
    Optional<Duration> duration;
    if (value == null) {
      return Optional.empty();
    } else if (value instanceof Integer seconds) {
      duration = Optional.of(Duration.ofSeconds(seconds));
    } else if (value instanceof String) {
      duration = parsed(key, ConfigFields::parseDuration);
    } else {
      problems.add(
          new ValidationProblem(
              key, "expected a duration such as 500ms, 5s or 1m, got " + describe(value)));
      return Optional.empty();
    }
    if (duration.isPresent() && (duration.get().isZero() || duration.get().isNegative())) {
      problems.add(new ValidationProblem(key, "must be longer than 0s"));
      return Optional.empty();
    }
    return duration;
  }

  /** A mapping or a list, such as a JSON body. */
  Optional<Object> tree(String key) {
    Object value = config.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Map || value instanceof List)) {
      problems.add(
          new ValidationProblem(key, "expected a mapping or a list, got " + describe(value)));
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /** Argo Rollouts' header list: {@code [{key: X-Scope, value: team-a}, ...]}. */
  List<Header> headers(String key) {
    if (!has(key)) {
      return List.of();
    }
    if (!(config.get(key) instanceof List<?> items)) {
      problems.add(new ValidationProblem(key, "expected a list, got " + describe(config.get(key))));
      return List.of();
    }
    List<Header> headers = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      header(key + "[" + i + "]", items.get(i)).ifPresent(headers::add);
    }
    return headers;
  }

  private Optional<Header> header(String path, Object item) {
    if (!(item instanceof Map<?, ?> map)) {
      problems.add(
          new ValidationProblem(path, "expected a mapping {key, value}, got " + describe(item)));
      return Optional.empty();
    }
    unknownKeys(path + ".", map, HEADER_KEYS);
    Optional<String> name = headerPart(path + ".key", map.get("key"));
    Optional<String> value = headerPart(path + ".value", map.get("value"));
    if (name.isEmpty() || value.isEmpty() || defer(name.get()) || defer(value.get())) {
      return Optional.empty();
    }
    try {
      // The JDK client refuses some names (Host, Content-Length, ...) and malformed ones: ask it
      // now rather than at the first measurement.
      HttpRequest.newBuilder().header(name.get(), value.get());
    } catch (IllegalArgumentException e) {
      problems.add(new ValidationProblem(path, e.getMessage()));
      return Optional.empty();
    }
    return Optional.of(new Header(name.get(), value.get()));
  }

  private Optional<String> headerPart(String path, Object value) {
    if (value == null) {
      problems.add(new ValidationProblem(path, "is required"));
      return Optional.empty();
    }
    return string(path, value);
  }

  /** Reports the second of two keys that exclude each other when both are set. */
  void atMostOne(String first, String second) {
    if (has(first) && has(second)) {
      problems.add(
          new ValidationProblem(
              second,
              "cannot be combined with "
                  + first
                  + " (set either "
                  + first
                  + " or "
                  + second
                  + ")"));
    }
  }

  /** Reports a value that is valid alone but not together with the rest of the block. */
  void refuse(String key, String message) {
    problems.add(new ValidationProblem(key, message));
  }

  private boolean require(String key) {
    if (has(key)) {
      return true;
    }
    problems.add(new ValidationProblem(key, "is required"));
    return false;
  }

  private Optional<String> string(String path, Object value) {
    if (value instanceof String text) {
      return Optional.of(text);
    }
    String hint = value instanceof Number || value instanceof Boolean ? " (quote it)" : "";
    problems.add(new ValidationProblem(path, "expected a string, got " + describe(value) + hint));
    return Optional.empty();
  }

  /** Whether {@code text} can only be checked once arguments are substituted. */
  private boolean defer(String text) {
    boolean pending = argsPending && text.contains("{{");
    deferred |= pending;
    return pending;
  }

  private void unknownKeys(String prefix, Map<?, ?> map, List<String> known) {
    for (Object key : map.keySet()) {
      if (!known.contains(String.valueOf(key))) {
        problems.add(
            new ValidationProblem(prefix + key, unknownKeyMessage(String.valueOf(key), known)));
      }
    }
  }

  private static String unknownKeyMessage(String key, List<String> known) {
    return Suggestions.nearest(key, known)
        .map(near -> "unknown key (did you mean '" + near + "'?)")
        .orElse("unknown key (expected one of: " + String.join(", ", known) + ")");
  }

  private static URI parseHttpUrl(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a URL: " + e.getReason() + " (expected e.g. http://host:9090)");
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an http or https URL (expected e.g. http://host:9090)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(
          "'" + text + "' names no host (expected e.g. http://host:9090)");
    }
    return uri;
  }

  private static Duration parseDuration(String text) {
    if (text.matches("\\d{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(text));
    }
    Matcher matcher = DURATION.matcher(text);
    if (text.isEmpty() || !matcher.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (expected e.g. 500ms, 5s, 1m or 1h30m)");
    }
    return Duration.ofHours(part(matcher, 1))
        .plusMinutes(part(matcher, 2))
        .plusSeconds(part(matcher, 3))
        .plusMillis(part(matcher, 4));
  }

  private static long part(Matcher matcher, int group) {
    return matcher.group(group) == null ? 0 : Long.parseLong(matcher.group(group));
  }

  /** A duration as users write it: {@code 500ms}, {@code 5s}, {@code 90s}. */
  static String text(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /** How a value looks, for messages: {@code the number 1.5}, {@code a list}. */
  static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof Map) {
      return "a mapping";
    }
    if (value instanceof List) {
      return "a list";
    }
    if (value instanceof String text) {
      return "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "\"";
    }
    if (value instanceof Number) {
      return "the number " + value;
    }
    return String.valueOf(value);
  }
}
