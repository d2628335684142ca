package dev.meshroll.host.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads mesh objects (VirtualServices, Envoy resources, ...) from YAML or JSON files. */
final class MeshFiles {
  private static final ObjectMapper YAML = new YAMLMapper();

  private MeshFiles() {}

  /**
   * Every document of every file, as a plain tree.
   *
   * @throws IllegalArgumentException naming the file and the problem
   */
  static List<Map<String, Object>> read(List<Path> files) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Path file : files) {
      try {
        objects.addAll(parse(file.toString(), Files.readString(file)));
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
    }
    return objects;
  }

  /**
   * Every document of one YAML or JSON text, as a plain tree.
   *
   * @throws IllegalArgumentException naming {@code origin} and the problem
   */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> parse(String origin, String text) {
    List<Map<String, Object>> objects = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(text)) {
      int document = 0;
      while (parser.nextToken() != null) {
        document++;
        JsonNode node = YAML.readTree(parser);
        if (node == null || node.isNull()) {
          continue;
        }
        if (!node.isObject()) {
          throw new IllegalArgumentException(
              origin
                  + " (document "
                  + document
                  + "): expected a mesh object, got a "
                  + node.getNodeType().name().toLowerCase());
        }
        objects.add(YAML.convertValue(node, LinkedHashMap.class));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
    }
    return objects;
  }
}
