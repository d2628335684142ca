package dev.meshroll.host.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Mutates the example specs and checks that every result is either a valid spec or a list of
 * problems with field paths: never another exception, never a hang.
 */
class SpecFuzzTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<JsonNode> EXAMPLES = examples();

  private static final List<JsonNode> ODD_VALUES =
      List.of(
          NODES.textNode(""),
          NODES.textNode("\u202e\u0645\u0631\u062d\u0628\u0627"),
          NODES.textNode("\ud83d\ude80\u200b\u0000x"),
          NODES.textNode("a".repeat(5000)),
          NODES.textNode("{{args.missing}}"),
          NODES.textNode("(unclosed"),
          NODES.numberNode(-1),
          NODES.numberNode(0),
          NODES.numberNode(Long.MAX_VALUE),
          NODES.numberNode(new BigInteger("9".repeat(60))),
          NODES.numberNode(1e308),
          NODES.numberNode(Double.NaN),
          NODES.numberNode(0.5),
          NODES.booleanNode(true),
          NODES.nullNode(),
          NODES.arrayNode(),
          NODES.objectNode());

  private static List<JsonNode> examples() {
    try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
      List<JsonNode> documents = new ArrayList<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (String document : Files.readString(file).split("(?m)^---$")) {
          documents.add(YAML.readTree(document));
        }
      }
      return documents;
    } catch (IOException e) {
      throw new IllegalStateException("the examples folder must be readable from the module", e);
    }
  }

  @Property(tries = 10_000)
  void everyMutationIsValidOrExplained(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int mutations) throws IOException {
    Random random = new Random(seed);
    JsonNode document = EXAMPLES.get(random.nextInt(EXAMPLES.size())).deepCopy();
    for (int i = 0; i < mutations; i++) {
      document = mutate(document, random);
    }
    String yaml = YAML.writeValueAsString(document);

    SpecFile file =
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> SpecFile.parse("fuzz.yaml", yaml));

    if (file.valid()) {
      assertThat(file.rollouts().size() + file.templates().size()).isEqualTo(1);
    } else {
      assertThat(file.problems())
          .allSatisfy(
              problem -> {
                assertThat(problem.file()).startsWith("fuzz.yaml");
                assertThat(problem.field()).isNotBlank();
                assertThat(problem.message()).isNotBlank();
              });
    }
    Statistics.label("outcome").collect(file.valid() ? "valid" : "problems");
  }

  /** A fresh copy of an odd value: the tree is mutated in place, so nodes must not be shared. */
  private static JsonNode odd(Random random) {
    return ODD_VALUES.get(random.nextInt(ODD_VALUES.size())).deepCopy();
  }

  /** One random change somewhere in the tree; returns the (possibly new) root. */
  private static JsonNode mutate(JsonNode root, Random random) {
    List<JsonNode> containers = new ArrayList<>();
    collectContainers(root, containers);
    if (containers.isEmpty()) {
      return odd(random);
    }
    JsonNode target = containers.get(random.nextInt(containers.size()));
    if (target instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      if (names.isEmpty()) {
        object.set("unexpected", odd(random));
        return root;
      }
      String name = names.get(random.nextInt(names.size()));
      switch (random.nextInt(5)) {
        case 0 -> object.remove(name);
        case 1 -> object.set(typo(name, random), object.remove(name));
        case 2 -> object.set(name, odd(random));
        case 3 -> object.set(name, nest(object.get(name), 1 + random.nextInt(120), random));
        default -> object.set(name, wrongType(object.get(name), random));
      }
    } else {
      ArrayNode array = (ArrayNode) target;
      if (array.isEmpty()) {
        array.add(odd(random));
        return root;
      }
      int index = random.nextInt(array.size());
      switch (random.nextInt(4)) {
        case 0 -> array.remove(index);
        case 1 -> array.add(array.get(index).deepCopy());
        case 2 -> array.set(index, odd(random));
        default -> array.insert(index, wrongType(array.get(index), random));
      }
    }
    return root;
  }

  private static void collectContainers(JsonNode node, List<JsonNode> into) {
    if (node.isContainerNode()) {
      into.add(node);
      node.forEach(child -> collectContainers(child, into));
    }
  }

  private static String typo(String name, Random random) {
    if (name.isEmpty()) {
      return "x";
    }
    int at = random.nextInt(name.length());
    return switch (random.nextInt(3)) {
      case 0 -> name.substring(0, at) + name.substring(at + 1);
      case 1 -> name.substring(0, at) + (char) ('a' + random.nextInt(26)) + name.substring(at);
      default -> name.toUpperCase();
    };
  }

  private static JsonNode nest(JsonNode value, int depth, Random random) {
    JsonNode nested = value;
    for (int i = 0; i < depth; i++) {
      nested =
          random.nextBoolean()
              ? NODES.arrayNode().add(nested)
              : NODES.objectNode().set("x", nested);
    }
    return nested;
  }

  private static JsonNode wrongType(JsonNode value, Random random) {
    if (value.isTextual()) {
      return NODES.numberNode(random.nextInt(1000) - 500);
    }
    if (value.isNumber()) {
      return NODES.textNode(value.asText());
    }
    if (value.isArray()) {
      return NODES.objectNode().set("item", value);
    }
    if (value.isObject()) {
      return NODES.arrayNode().add(value);
    }
    return NODES.textNode(String.valueOf(random.nextLong()));
  }
}
