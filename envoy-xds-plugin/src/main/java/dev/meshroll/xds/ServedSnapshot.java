package dev.meshroll.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the server serves at one moment: for each type, a version and the resources packed as {@link
 * Any} once, so that every stream shares the same bytes. Immutable.
 */
final class ServedSnapshot {
  /**
   * One type's resources and version.
   *
   * @param versions each resource's own version, a digest of its bytes, for incremental clients
   */
  record TypeState(long version, SortedMap<String, Any> resources, Map<String, String> versions) {}

  private final String epoch;
  private final Map<String, TypeState> types;

  private ServedSnapshot(String epoch, Map<String, TypeState> types) {
    this.epoch = epoch;
    this.types = Collections.unmodifiableMap(types);
  }

  static ServedSnapshot empty(String epoch) {
    Map<String, TypeState> types = new HashMap<>();
    TypeUrls.ADD_ORDER.forEach(
        type -> types.put(type, new TypeState(0, new TreeMap<>(), Map.of())));
    return new ServedSnapshot(epoch, types);
  }

  /**
   * The next snapshot: a type whose resources changed gets the next version; an unchanged one keeps
   * its version and its packed bytes.
   */
  ServedSnapshot next(ResourceSet resources) {
    Map<String, TypeState> next = new HashMap<>();
    for (String type : TypeUrls.ADD_ORDER) {
      TypeState previous = types.get(type);
      SortedMap<String, Any> packed = new TreeMap<>();
      Map<String, String> versions = new HashMap<>();
      for (Map.Entry<String, ? extends Message> resource : resources.ofType(type).entrySet()) {
        String name = resource.getKey();
        Any old = previous.resources().get(name);
        Any fresh = Any.pack(resource.getValue());
        boolean same = old != null && old.equals(fresh);
        packed.put(name, same ? old : fresh);
        versions.put(name, same ? previous.versions().get(name) : digest(fresh));
      }
      next.put(
          type,
          packed.equals(previous.resources())
              ? previous
              : new TypeState(
                  previous.version() + 1,
                  Collections.unmodifiableSortedMap(packed),
                  Collections.unmodifiableMap(versions)));
    }
    return new ServedSnapshot(epoch, next);
  }

  /** A resource's version: the first 8 bytes of the SHA-256 of its serialized form, in hex. */
  private static String digest(Any resource) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(resource.getValue().toByteArray());
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }

  TypeState type(String typeUrl) {
    return types.get(typeUrl);
  }

  /**
   * The version string clients see: {@code EPOCH-N}, so that versions of an earlier run never
   * match.
   */
  String versionInfo(String typeUrl) {
    return epoch + "-" + types.get(typeUrl).version();
  }

  /** The version string of version {@code number} of this run. */
  String versionInfo(long number) {
    return epoch + "-" + number;
  }

  /** The number in a version string of this run; 0 for a version of another run or none. */
  long versionNumber(String versionInfo) {
    String prefix = epoch + "-";
    if (!versionInfo.startsWith(prefix)) {
      return 0;
    }
    try {
      return Long.parseLong(versionInfo.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Whether some cluster of {@code before} is gone here: then routes must change first. */
  boolean removesClustersOf(ServedSnapshot before) {
    return !types
        .get(TypeUrls.CLUSTER)
        .resources()
        .keySet()
        .containsAll(before.types.get(TypeUrls.CLUSTER).resources().keySet());
  }
}
