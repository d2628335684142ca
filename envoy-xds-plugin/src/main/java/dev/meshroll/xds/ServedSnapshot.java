package dev.meshroll.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.WeakHashMap;

/**
 * What the server serves at one moment: for each type, a version and the resources packed as {@link
 * Any} once, so that every stream shares the same bytes. Immutable.
 */
final class ServedSnapshot {
  /** The versions incremental clients hold, one copy per distinct map for every stream. */
  private static final Interner<Map<String, String>> HELD = new Interner<>();

  /**
   * One type's resources and version, and what streams derive from them, worked out once for every
   * stream that asks the same: the resources of a set of names, and what an incremental client
   * lacks. Immutable but for those caches.
   */
  static final class TypeState {
    private final long version;
    private final String versionInfo;
    private final SortedMap<String, Any> resources;
    private final Map<String, String> versions;
    // Filled by the fan-out thread and gRPC's threads alike. The maps' own locks are enough: each
    // access is short, and two threads computing the same entry at once compute equal values. Keys
    // are interned name sets, held weakly: a set no stream subscribes to any more goes.
    private final Map<Set<String>, SortedMap<String, Any>> subsets =
        Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<Set<String>, LastChanges> changes =
        Collections.synchronizedMap(new WeakHashMap<>());

    /** What {@link #changesFor} last worked out for one set of names: most streams ask the same. */
    private record LastChanges(Map<String, String> held, boolean wildcard, Changes changes) {}

    /**
     * @param versionInfo the version string clients see
     * @param versions each resource's own version, a digest of its bytes, for incremental clients
     */
    TypeState(
        long version,
        String versionInfo,
        SortedMap<String, Any> resources,
        Map<String, String> versions) {
      this.version = version;
      this.versionInfo = versionInfo;
      this.resources = resources;
      this.versions = versions;
    }

    long version() {
      return version;
    }

    /** The version string clients see: {@code EPOCH-N}. */
    String versionInfo() {
      return versionInfo;
    }

    SortedMap<String, Any> resources() {
      return resources;
    }

    Map<String, String> versions() {
      return versions;
    }

    /**
     * The resources of these names, or all of them for a wildcard subscription: one map for every
     * stream that subscribes to the same names.
     */
    SortedMap<String, Any> subscribed(Set<String> names, boolean wildcard) {
      if (wildcard) {
        return resources;
      }
      return subsets.computeIfAbsent(
          names,
          key -> {
            SortedMap<String, Any> some = new TreeMap<>();
            key.forEach(
                name -> {
                  Any resource = resources.get(name);
                  if (resource != null) {
                    some.put(name, resource);
                  }
                });
            return Collections.unmodifiableSortedMap(some);
          });
    }

    /**
     * What an incremental client that holds {@code held} and rejected nothing lacks; the same
     * answer for every stream that holds the same (interned) map and subscribes to the same names.
     */
    Changes changesFor(Map<String, String> held, boolean wildcard, Set<String> names) {
      LastChanges last = changes.get(names);
      if (last != null && last.held() == held && last.wildcard() == wildcard) {
        return last.changes();
      }
      Changes fresh = Changes.of(this, held, Map.of(), wildcard, names);
      changes.put(names, new LastChanges(held, wildcard, fresh));
      return fresh;
    }
  }

  /**
   * What an incremental client lacks of one type.
   *
   * @param resources the resources whose version it lacks, by name, with their versions
   * @param removed the names it holds that are gone, sorted
   * @param heldAfter what it holds once it ACKs them (interned)
   */
  record Changes(List<Resource> resources, List<String> removed, Map<String, String> heldAfter) {
    boolean isEmpty() {
      return resources.isEmpty() && removed.isEmpty();
    }

    /**
     * What a client that holds {@code held}, rejected {@code rejected} and subscribes to every
     * resource ({@code wildcard}) or to {@code names} lacks of {@code state}: a resource version it
     * rejected is held back until it changes.
     */
    static Changes of(
        TypeState state,
        Map<String, String> held,
        Map<String, String> rejected,
        boolean wildcard,
        Set<String> names) {
      List<Resource> resources = new ArrayList<>();
      for (Map.Entry<String, Any> resource : state.resources().entrySet()) {
        String name = resource.getKey();
        String version = state.versions().get(name);
        if ((wildcard || names.contains(name))
            && !version.equals(held.get(name))
            && !version.equals(rejected.get(name))) {
          resources.add(
              Resource.newBuilder()
                  .setName(name)
                  .setVersion(version)
                  .setResource(resource.getValue())
                  .build());
        }
      }
      List<String> removed =
          held.keySet().stream()
              .filter(name -> !state.resources().containsKey(name))
              .sorted()
              .toList();
      if (resources.isEmpty() && removed.isEmpty()) {
        return new Changes(List.of(), List.of(), held);
      }
      return new Changes(List.copyOf(resources), removed, with(held, resources, removed));
    }

    /**
     * {@code versions} with these resources' versions in and the {@code removed} names out: what a
     * client holds once it ACKs them, or has rejected once it NACKs them. Interned.
     */
    static Map<String, String> with(
        Map<String, String> versions, List<Resource> resources, List<String> removed) {
      Map<String, String> after = new HashMap<>(versions);
      resources.forEach(resource -> after.put(resource.getName(), resource.getVersion()));
      removed.forEach(after::remove);
      return held(after);
    }
  }

  private final String epoch;
  private final Map<String, TypeState> types;

  private ServedSnapshot(String epoch, Map<String, TypeState> types) {
    this.epoch = epoch;
    this.types = Collections.unmodifiableMap(types);
  }

  static ServedSnapshot empty(String epoch) {
    Map<String, TypeState> types = new HashMap<>();
    TypeUrls.ADD_ORDER.forEach(
        type -> types.put(type, new TypeState(0, epoch + "-0", new TreeMap<>(), Map.of())));
    return new ServedSnapshot(epoch, types);
  }

  /** The one shared copy of a map of resource versions that a client holds. */
  static Map<String, String> held(Map<String, String> versions) {
    return HELD.intern(Map.copyOf(versions));
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
                  versionInfo(previous.version() + 1),
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

  /** This server run's mark in every version string. */
  String epoch() {
    return epoch;
  }

  TypeState type(String typeUrl) {
    return types.get(typeUrl);
  }

  /**
   * The version string clients see: {@code EPOCH-N}, so that versions of an earlier run never
   * match.
   */
  String versionInfo(String typeUrl) {
    return types.get(typeUrl).versionInfo();
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
    TypeState clusters = types.get(TypeUrls.CLUSTER);
    TypeState clustersBefore = before.types.get(TypeUrls.CLUSTER);
    return clusters != clustersBefore
        && !clusters.resources().keySet().containsAll(clustersBefore.resources().keySet());
  }
}
