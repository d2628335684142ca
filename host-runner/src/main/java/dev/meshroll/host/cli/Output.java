package dev.meshroll.host.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Data output of client commands: {@code --output json|yaml} in protobuf's JSON mapping. */
enum Output {
  text,
  json,
  yaml;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new YAMLMapper();

  /** The message as JSON or YAML; never called for {@code text}. */
  String format(MessageOrBuilder message) {
    try {
      String json = JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(message);
      if (this == Output.json) {
        return json;
      }
      JsonNode tree = JSON.readTree(json);
      return YAML.writeValueAsString(tree).stripTrailing();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("control API messages always print as JSON", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
