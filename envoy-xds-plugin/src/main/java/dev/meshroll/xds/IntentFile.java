package dev.meshroll.xds;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RouteIntent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The intents in force, kept in a file so that a restarted server serves them from its first
 * response: without it a restart would serve the base, stepping traffic back until the host
 * re-applied every rollout. Written atomically (temp file, fsync, rename).
 */
final class IntentFile {
  private static final ObjectMapper JSON = JsonMapper.builder().addModule(new Jdk8Module()).build();

  private final Path file;

  IntentFile(Path file) {
    this.file = file;
  }

  /** The intents stored, or none when there is no file. */
  Map<RolloutRef, RouteIntent> read() throws IOException {
    Map<RolloutRef, RouteIntent> intents = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return intents;
    }
    List<RouteIntent> stored =
        JSON.readValue(file.toFile(), new TypeReference<List<RouteIntent>>() {});
    stored.forEach(intent -> intents.put(intent.rollout(), intent));
    return intents;
  }

  @Override
  public String toString() {
    return file.toString();
  }

  void write(Map<RolloutRef, RouteIntent> intents) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(temp, JSON.writeValueAsBytes(List.copyOf(intents.values())));
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
