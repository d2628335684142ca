package dev.meshroll.bench;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A harness's command-line options: {@code --name value} pairs, each known by name. */
final class Options {
  private final Map<String, String> values = new HashMap<>();

  /**
   * @param known the options the harness takes, with their defaults (null: none)
   */
  Options(String[] args, Map<String, String> known) {
    values.putAll(known);
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || !known.containsKey(args[i])) {
        throw new IllegalArgumentException(
            "unknown option '" + args[i] + "' (expected: " + Set.copyOf(known.keySet()) + ")");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      values.put(args[i], args[++i]);
    }
  }

  String string(String name) {
    return values.get(name);
  }

  boolean has(String name) {
    return values.get(name) != null;
  }

  int integer(String name) {
    return Integer.parseInt(values.get(name));
  }

  List<String> list(String name) {
    return Arrays.stream(values.get(name).split(",")).map(String::trim).toList();
  }

  List<Integer> integers(String name) {
    return list(name).stream().map(Integer::parseInt).toList();
  }
}
