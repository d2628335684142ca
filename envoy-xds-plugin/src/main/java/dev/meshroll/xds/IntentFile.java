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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The intents in force, kept in a file so that a restarted server serves them from its first
 * response: without it a restart would serve the base, stepping traffic back until the host
 * re-applied every rollout. With each intent, its fleet: the nodes that subscribed to its routes
 * and the latest generation each was seen to have, so that after a restart "k/n nodes" counts the
 * same nodes as before. Written atomically (temp file, fsync, rename).
 */
final class IntentFile {
  private static final ObjectMapper JSON = JsonMapper.builder().addModule(new Jdk8Module()).build();

  private final Path file;

  /**
   * One rollout's entry.
   *
   * @param fleet node id to the latest generation of the rollout it was seen to have (0: none)
   */
  record Entry(RouteIntent intent, Map<String, Long> fleet) {
    Entry {
      fleet = Collections.unmodifiableMap(new TreeMap<>(fleet));
    }
  }

  IntentFile(Path file) {
    this.file = file;
  }

  /** The entries stored, by rollout, or none when there is no file. */
  Map<RolloutRef, Entry> read() throws IOException {
    Map<RolloutRef, Entry> entries = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return entries;
    }
    List<Entry> stored = JSON.readValue(file.toFile(), new TypeReference<List<Entry>>() {});
    stored.forEach(entry -> entries.put(entry.intent().rollout(), entry));
    return entries;
  }

  @Override
  public String toString() {
    return file.toString();
  }

  void write(Map<RolloutRef, Entry> entries) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(temp, JSON.writeValueAsBytes(List.copyOf(entries.values())));
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
