package dev.meshroll.host.state;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.engine.RolloutStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One status file per rollout in a folder, written so that a crash at any moment leaves either the
 * old or the new status, never a mixture: temp file, fsync, rename, fsync of the folder.
 */
public final class StateStore {
  private final Path folder;

  public StateStore(Path folder) throws IOException {
    this.folder = Files.createDirectories(folder);
  }

  /** The status file of a rollout: {@code NAMESPACE_NAME.json} (names hold no {@code _}). */
  public Path fileOf(RolloutRef rollout) {
    return folder.resolve(rollout.namespace() + "_" + rollout.name() + ".json");
  }

  /** Stores a status, replacing the previous one atomically and durably. */
  public void write(RolloutRef rollout, RolloutStatus status) throws IOException {
    Path target = fileOf(rollout);
    Path temp = folder.resolve("." + target.getFileName() + ".tmp");
    byte[] json = StatusJson.write(status).getBytes(StandardCharsets.UTF_8);
    try (FileChannel channel =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(json);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the state folder " + folder + " cannot rename atomically", e);
    }
    // The rename itself is durable only once the folder's entry is on disk.
    try (FileChannel directory = FileChannel.open(folder, StandardOpenOption.READ)) {
      directory.force(true);
    }
  }

  /**
   * Reads a rollout's status; empty when it has none.
   *
   * @throws CorruptStateException when the file exists but is not a whole status
   */
  public Optional<RolloutStatus> read(RolloutRef rollout) throws IOException {
    Path file = fileOf(rollout);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String json = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return Optional.of(StatusJson.read(json));
    } catch (IllegalArgumentException e) {
      throw new CorruptStateException(file, e.getMessage());
    }
  }

  /** A status file that exists but cannot be read as a status. */
  public static final class CorruptStateException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptStateException(Path file, String reason) {
      super(
          "state file "
              + file
              + " is damaged ("
              + reason
              + "); the rollout is held: restore the file, or delete it to start the rollout over");
    }
  }
}
