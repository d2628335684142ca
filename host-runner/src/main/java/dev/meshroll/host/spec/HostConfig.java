package dev.meshroll.host.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's own configuration ({@code host.yaml}): where specs and state live, where the control
 * API listens, and each plugin's settings. Relative paths are relative to the file's folder.
 *
 * @param rollouts the folder of Rollout and AnalysisTemplate specs (default {@code rollouts})
 * @param state the folder of status files (default {@code state})
 * @param listen the gRPC control API's address (default {@code 127.0.0.1:7070})
 * @param httpListen the address of the JSON API, {@code /metrics} and {@code /healthz} (default
 *     {@code 127.0.0.1:7071})
 * @param token a bearer token for steering calls whose caller is unnamed; empty for none
 * @param tokens bearer tokens for steering calls by caller's name, which the rollout's history
 *     records; when this or {@code token} is set, steering calls need one of them
 * @param pluginTimeout how long one plugin call may take (default 10s)
 * @param verifyInterval how often a router is asked again while its answer is pending (default 1s)
 * @param workers how many threads run rollouts' decisions (default 4)
 * @param pluginFolder a further folder of plugins, besides the distribution's
 * @param pluginSettings each plugin's settings block, by plugin id
 * @param directory the folder of the config file: plugins resolve their relative paths from it
 */
public record HostConfig(
    Path rollouts,
    Path state,
    Address listen,
    Address httpListen,
    Optional<String> token,
    Map<String, String> tokens,
    Duration pluginTimeout,
    Duration verifyInterval,
    int workers,
    Optional<Path> pluginFolder,
    Map<String, Map<String, Object>> pluginSettings,
    Path directory) {

  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
  private static final Pattern ADDRESS = Pattern.compile("(.+):(\\d{1,5})");
  // Names show in histories and logs: short, lower-case, and e-mail addresses fit.
  private static final Pattern CALLER = Pattern.compile("[a-z0-9][a-z0-9.@-]{0,62}");
  private static final List<String> KEYS =
      List.of(
          "rollouts",
          "state",
          "listen",
          "httpListen",
          "token",
          "tokens",
          "pluginTimeout",
          "verifyInterval",
          "workers",
          "plugins");

  public HostConfig {
    tokens = Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
    pluginSettings = Collections.unmodifiableMap(new LinkedHashMap<>(pluginSettings));
  }

  /** A host and port to listen on or connect to. */
  public record Address(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }

    /**
     * Reads {@code host:port}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Address parse(String text) {
      Matcher matcher = ADDRESS.matcher(text);
      if (!matcher.matches() || Integer.parseInt(matcher.group(2)) > 65535) {
        throw new IllegalArgumentException(
            "'" + text + "' is not an address (expected host:port, e.g. 127.0.0.1:7070)");
      }
      return new Address(matcher.group(1), Integer.parseInt(matcher.group(2)));
    }
  }

  /** The configuration of a host started without a file: everything below {@code directory}. */
  public static HostConfig defaults(Path directory) {
    return new HostConfig(
        directory.resolve("rollouts"),
        directory.resolve("state"),
        new Address("127.0.0.1", 7070),
        new Address("127.0.0.1", 7071),
        Optional.empty(),
        Map.of(),
        Duration.ofSeconds(10),
        Duration.ofSeconds(1),
        4,
        Optional.empty(),
        Map.of(),
        directory);
  }

  /**
   * Reads a host config.
   *
   * @param file the config's path, for messages and to resolve relative paths
   * @return the config, or every problem found in it
   */
  public static Result parse(Path file, String yaml) {
    Problems problems = new Problems(file.toString());
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      problems.add(
          "(document)", "not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
      return new Result(Optional.empty(), problems.list());
    }
    Path directory = file.toAbsolutePath().getParent();
    HostConfig defaults = defaults(directory);
    Optional<Fields> read = Fields.of(problems, "", root, KEYS);
    if (read.isEmpty()) {
      return new Result(Optional.empty(), problems.list());
    }
    Fields fields = read.get();
    Path rollouts = fields.string("rollouts").map(directory::resolve).orElse(defaults.rollouts());
    Path state = fields.string("state").map(directory::resolve).orElse(defaults.state());
    Address listen = address(fields, "listen").orElse(defaults.listen());
    Address httpListen = address(fields, "httpListen").orElse(defaults.httpListen());
    Optional<String> token = fields.string("token");
    token
        .filter(String::isBlank)
        .ifPresent(blank -> problems.add("token", "must not be blank (leave it out for none)"));
    Map<String, String> tokens = tokens(fields, token);
    Duration timeout = positive(fields, "pluginTimeout").orElse(defaults.pluginTimeout());
    Duration verifyInterval = positive(fields, "verifyInterval").orElse(defaults.verifyInterval());
    int workers = fields.integer("workers", 1, 256).orElse(defaults.workers());
    Optional<Path> pluginFolder = Optional.empty();
    Map<String, Map<String, Object>> settings = new LinkedHashMap<>();
    JsonNode plugins = fields.raw("plugins");
    if (fields.has("plugins") && !plugins.isObject()) {
      problems.add("plugins", "expected a mapping, got " + Fields.describe(plugins));
    } else if (fields.has("plugins")) {
      var entries = plugins.fields();
      while (entries.hasNext()) {
        var entry = entries.next();
        if (entry.getKey().equals("folder")) {
          pluginFolder =
              Fields.string(problems, "plugins.folder", entry.getValue()).map(directory::resolve);
        } else if (!entry.getValue().isObject()) {
          problems.add(
              "plugins." + entry.getKey(),
              "expected the plugin's settings mapping, got " + Fields.describe(entry.getValue()));
        } else {
          settings.put(entry.getKey(), toTree(entry.getValue()));
        }
      }
    }
    if (!problems.isEmpty()) {
      return new Result(Optional.empty(), problems.list());
    }
    return new Result(
        Optional.of(
            new HostConfig(
                rollouts,
                state,
                listen,
                httpListen,
                token,
                tokens,
                timeout,
                verifyInterval,
                workers,
                pluginFolder,
                settings,
                directory)),
        List.of());
  }

  /**
   * Reads {@code tokens}: caller names to tokens. A problem names the caller, never the token, so
   * that messages and logs do not spread it.
   */
  private static Map<String, String> tokens(Fields fields, Optional<String> unnamed) {
    Map<String, String> tokens = new LinkedHashMap<>();
    if (!fields.has("tokens")) {
      return tokens;
    }
    JsonNode node = fields.raw("tokens");
    Problems problems = fields.problems();
    if (!node.isObject()) {
      problems.add(
          "tokens",
          "expected a mapping of caller names to tokens (e.g. {alice: TOKEN}), got "
              + Fields.describe(node));
      return tokens;
    }
    // Which field holds each token, so that a repeated one names both places.
    Map<String, String> owners = new LinkedHashMap<>();
    unnamed.ifPresent(token -> owners.put(token, "token"));
    var entries = node.fields();
    while (entries.hasNext()) {
      var entry = entries.next();
      String name = entry.getKey();
      String path = "tokens." + name;
      if (!CALLER.matcher(name).matches()) {
        problems.add(
            path,
            "'"
                + name
                + "' is not a caller name (expected 1 to 63 lower-case letters, digits, '-', '.'"
                + " or '@', starting with a letter or digit, e.g. alice or ci@example.com)");
      }
      JsonNode value = entry.getValue();
      Optional<String> token = Optional.empty();
      if (value.isTextual()) {
        token = Optional.of(value.textValue());
      } else if (value.isNumber() || value.isBoolean()) {
        problems.add(path, "expected a string (quote the token)");
      } else {
        problems.add(path, "expected a string, got " + Fields.describe(value));
      }
      if (token.filter(String::isBlank).isPresent()) {
        problems.add(path, "must not be blank");
      } else if (token.isPresent() && owners.containsKey(token.get())) {
        // Two callers with one token could not be told apart.
        problems.add(
            path,
            "the same token as "
                + owners.get(token.get())
                + " (each caller needs a token of their own)");
      } else if (token.isPresent()) {
        owners.put(token.get(), path);
        tokens.put(name, token.get());
      }
    }
    return tokens;
  }

  private static Optional<Duration> positive(Fields fields, String key) {
    Optional<Duration> duration = fields.duration(key);
    if (duration.filter(Duration::isZero).isPresent()) {
      fields.problems().add(key, "must be longer than 0s");
      return Optional.empty();
    }
    return duration;
  }

  private static Optional<Address> address(Fields fields, String key) {
    return fields
        .string(key)
        .flatMap(
            text -> {
              try {
                return Optional.of(Address.parse(text));
              } catch (IllegalArgumentException e) {
                fields.problems().add(key, e.getMessage());
                return Optional.empty();
              }
            });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> toTree(JsonNode node) {
    return YAML.convertValue(node, LinkedHashMap.class);
  }

  /** A parsed config, or the problems that keep it from being one. */
  public record Result(Optional<HostConfig> config, List<SpecProblem> problems) {}
}
