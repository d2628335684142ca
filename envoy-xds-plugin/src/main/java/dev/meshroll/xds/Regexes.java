package dev.meshroll.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The regexes of xDS resources, checked as Envoy and gRPC compile them: with RE2 (RE2/J is what
 * grpc-java runs), never with Java's engine, which accepts lookarounds and back-references that RE2
 * refuses and refuses RE2's {@code (?P<name>...)}. Pure.
 */
final class Regexes {
  // Envoy's matcher, and the xDS matcher framework's (a listener's filter_chain_matcher, ...).
  private static final Set<String> REGEX_MATCHERS =
      Set.of("envoy.type.matcher.v3.RegexMatcher", "xds.type.matcher.v3.RegexMatcher");
  private static final String ANY = "google.protobuf.Any";

  private Regexes() {}

  /**
   * Every regex in a message's tree that RE2 refuses, as {@code field.path.regex: 'REGEX' is not
   * valid RE2: WHY}. The walk follows the fields that are set, whatever their type, so a matcher is
   * found wherever Envoy's API puts one; an {@code Any} is opened when {@code types} knows its type
   * (the HTTP connection manager of a listener).
   */
  static List<String> problems(Message message, JsonFormat.TypeRegistry types) {
    List<String> problems = new ArrayList<>();
    walk(message, "", types, problems);
    return problems;
  }

  /** Why RE2 refuses {@code regex}, in RE2/J's words; empty when it compiles. */
  static Optional<String> re2Error(String regex) {
    try {
      Pattern.compile(regex);
      return Optional.empty();
    } catch (PatternSyntaxException e) {
      String fragment = e.getPattern();
      return Optional.of(
          fragment == null || fragment.isEmpty()
              ? e.getDescription()
              : e.getDescription() + ": `" + fragment + "`");
    }
  }

  private static void walk(
      Message message, String path, JsonFormat.TypeRegistry types, List<String> problems) {
    Descriptor type = message.getDescriptorForType();
    if (REGEX_MATCHERS.contains(type.getFullName())) {
      String regex = (String) message.getField(type.findFieldByName("regex"));
      re2Error(regex)
          .ifPresent(
              why ->
                  problems.add(
                      child(path, "regex") + ": '" + regex + "' is not valid RE2: " + why));
      return;
    }
    if (type.getFullName().equals(ANY)) {
      opened(message, types).ifPresent(content -> walk(content, path, types, problems));
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      FieldDescriptor descriptor = field.getKey();
      if (descriptor.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      String name = child(path, descriptor.getName());
      if (descriptor.isMapField()) {
        for (Object item : (List<?>) field.getValue()) {
          Message entry = (Message) item;
          Descriptor entryType = entry.getDescriptorForType();
          Object key = entry.getField(entryType.findFieldByName("key"));
          if (entry.getField(entryType.findFieldByName("value")) instanceof Message value) {
            walk(value, name + "['" + key + "']", types, problems);
          }
        }
      } else if (descriptor.isRepeated()) {
        List<?> items = (List<?>) field.getValue();
        for (int i = 0; i < items.size(); i++) {
          walk((Message) items.get(i), name + "[" + i + "]", types, problems);
        }
      } else {
        walk((Message) field.getValue(), name, types, problems);
      }
    }
  }

  /** The message inside an {@code Any}, when its type is known. */
  private static Optional<Message> opened(Message any, JsonFormat.TypeRegistry types) {
    Descriptor type = any.getDescriptorForType();
    String typeUrl = (String) any.getField(type.findFieldByName("type_url"));
    Descriptor content = types.find(typeUrl.substring(typeUrl.lastIndexOf('/') + 1));
    if (content == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          DynamicMessage.parseFrom(
              content, (ByteString) any.getField(type.findFieldByName("value"))));
    } catch (InvalidProtocolBufferException e) {
      // Not ours to report: an Any that does not parse never got past the resource's own parser.
      return Optional.empty();
    }
  }

  private static String child(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
