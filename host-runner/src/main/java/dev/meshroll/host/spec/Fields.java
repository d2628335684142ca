package dev.meshroll.host.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshroll.api.Suggestions;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one YAML mapping of a spec: every value it hands out has the expected type and range, and
 * every problem (wrong type, missing field, unknown field) is recorded with its field path instead
 * of thrown, so that one pass finds them all.
 */
final class Fields {
  /** The longest duration a spec may name; longer ones are typos (and would overflow). */
  static final Duration LONGEST = Duration.ofDays(365);

  private static final Pattern DURATION =
      Pattern.compile("(?:(\\d{1,9})h)?(?:(\\d{1,9})m)?(?:(\\d{1,9})s)?(?:(\\d{1,9})ms)?");

  private final Problems problems;
  private final String path;
  private final ObjectNode node;

  private Fields(Problems problems, String path, ObjectNode node) {
    this.problems = problems;
    this.path = path;
    this.node = node;
  }

  /**
   * Reads {@code node} as a mapping whose keys are all in {@code known}; a missing or null node
   * reads as an empty mapping. Empty when it is not a mapping.
   */
  static Optional<Fields> of(Problems problems, String path, JsonNode node, List<String> known) {
    if (node == null || node.isNull()) {
      return Optional.of(new Fields(problems, path, new ObjectNode(null)));
    }
    if (!node.isObject()) {
      problems.add(path, "expected a mapping, got " + describe(node));
      return Optional.empty();
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        problems.add(join(path, name), unknownField(name, known));
      }
    }
    return Optional.of(new Fields(problems, path, (ObjectNode) node));
  }

  private static String unknownField(String name, List<String> known) {
    return Suggestions.nearest(name, known)
        .map(near -> "unknown field (did you mean '" + near + "'?)")
        .orElse("unknown field (expected one of: " + String.join(", ", known) + ")");
  }

  Problems problems() {
    return problems;
  }

  String path() {
    return path;
  }

  String pathOf(String key) {
    return join(path, key);
  }

  /** Whether {@code key} is present with a value other than null. */
  boolean has(String key) {
    JsonNode value = node.get(key);
    return value != null && !value.isNull();
  }

  JsonNode raw(String key) {
    return node.get(key);
  }

  /** Reports {@code key} as missing unless it is present. */
  boolean require(String key) {
    if (has(key)) {
      return true;
    }
    problems.add(pathOf(key), "is required");
    return false;
  }

  Optional<Fields> object(String key, List<String> known) {
    return of(problems, pathOf(key), node.get(key), known);
  }

  Optional<String> string(String key) {
    return has(key) ? string(problems, pathOf(key), node.get(key)) : Optional.empty();
  }

  Optional<String> requiredString(String key) {
    return require(key) ? string(key) : Optional.empty();
  }

  Optional<Integer> integer(String key, int min, int max) {
    return has(key) ? integer(problems, pathOf(key), node.get(key), min, max) : Optional.empty();
  }

  /** One of {@code choices}, e.g. {@code noData: inconclusive}. */
  Optional<String> choice(String key, List<String> choices) {
    return string(key)
        .filter(
            value -> {
              if (choices.contains(value)) {
                return true;
              }
              problems.add(
                  pathOf(key),
                  "'"
                      + value
                      + "' is not one of "
                      + String.join(", ", choices)
                      + Suggestions.nearest(value, choices)
                          .map(near -> " (did you mean '" + near + "'?)")
                          .orElse(""));
              return false;
            });
  }

  Optional<Boolean> bool(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    JsonNode value = node.get(key);
    if (!value.isBoolean()) {
      problems.add(pathOf(key), "expected true or false, got " + describe(value));
      return Optional.empty();
    }
    return Optional.of(value.booleanValue());
  }

  /**
   * A duration written as {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h30m}, or a number of
   * seconds.
   */
  Optional<Duration> duration(String key) {
    return has(key) ? duration(problems, pathOf(key), node.get(key)) : Optional.empty();
  }

  /** The items of a list, each with its path; empty when absent or not a list. */
  List<Item> list(String key) {
    if (!has(key)) {
      return List.of();
    }
    JsonNode value = node.get(key);
    if (!value.isArray()) {
      problems.add(pathOf(key), "expected a list, got " + describe(value));
      return List.of();
    }
    List<Item> items = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      items.add(new Item(pathOf(key) + "[" + i + "]", value.get(i)));
    }
    return items;
  }

  /** A mapping of strings to strings, such as {@code labels}. */
  Map<String, String> stringMap(String key) {
    Map<String, String> result = new LinkedHashMap<>();
    if (!has(key)) {
      return result;
    }
    JsonNode value = node.get(key);
    if (!value.isObject()) {
      problems.add(pathOf(key), "expected a mapping, got " + describe(value));
      return result;
    }
    value
        .fields()
        .forEachRemaining(
            entry ->
                string(problems, pathOf(key) + "." + entry.getKey(), entry.getValue())
                    .ifPresent(text -> result.put(entry.getKey(), text)));
    return result;
  }

  /** One item of a list, with its path, e.g. {@code spec.strategy.canary.steps[3]}. */
  record Item(String path, JsonNode node) {}

  static Optional<String> string(Problems problems, String path, JsonNode value) {
    if (value == null || !value.isTextual()) {
      problems.add(path, "expected a string, got " + describe(value) + quoteHint(value));
      return Optional.empty();
    }
    return Optional.of(value.textValue());
  }

  private static String quoteHint(JsonNode value) {
    return value != null && (value.isNumber() || value.isBoolean())
        ? " (quote it: \"" + value.asText() + "\")"
        : "";
  }

  static Optional<Integer> integer(
      Problems problems, String path, JsonNode value, int min, int max) {
    if (value == null || !value.isIntegralNumber()) {
      problems.add(path, "expected a whole number, got " + describe(value));
      return Optional.empty();
    }
    BigInteger number = value.bigIntegerValue();
    if (number.compareTo(BigInteger.valueOf(min)) < 0) {
      problems.add(path, number + " is below " + min);
      return Optional.empty();
    }
    if (number.compareTo(BigInteger.valueOf(max)) > 0) {
      problems.add(path, number + " is above " + max);
      return Optional.empty();
    }
    return Optional.of(number.intValue());
  }

  static Optional<Duration> duration(Problems problems, String path, JsonNode value) {
    if (value != null && value.isIntegralNumber()) {
      return integer(problems, path, value, 0, (int) LONGEST.toSeconds()).map(Duration::ofSeconds);
    }
    if (value == null || !value.isTextual()) {
      problems.add(
          path, "expected a duration such as 500ms, 30s, 2m or 1h30m, got " + describe(value));
      return Optional.empty();
    }
    Matcher matcher = DURATION.matcher(value.textValue());
    if (value.textValue().isEmpty() || !matcher.matches()) {
      problems.add(path, describe(value) + " is not a duration (expected e.g. 30s, 2m or 1h30m)");
      return Optional.empty();
    }
    Duration duration =
        Duration.ofHours(part(matcher, 1))
            .plusMinutes(part(matcher, 2))
            .plusSeconds(part(matcher, 3))
            .plusMillis(part(matcher, 4));
    if (duration.compareTo(LONGEST) > 0) {
      problems.add(path, value.textValue() + " is longer than " + LONGEST.toHours() + "h");
      return Optional.empty();
    }
    return Optional.of(duration);
  }

  private static long part(Matcher matcher, int group) {
    return matcher.group(group) == null ? 0 : Long.parseLong(matcher.group(group));
  }

  /** How a value looks, for messages: {@code the number 1.5}, {@code a list}. */
  static String describe(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "nothing";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isTextual()) {
      String text = value.textValue();
      return "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "\"";
    }
    if (value.isNumber()) {
      return "the number " + value.asText();
    }
    return value.asText();
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
