package dev.meshroll.smi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster needs so that it serves one intent: objects to write, then objects to delete,
 * each in the order it must happen. Empty when the cluster serves the intent already.
 *
 * @param writes objects to create or replace
 * @param deletions objects to delete
 */
record Changes(List<Write> writes, List<ObjectRef> deletions) {

  /** The annotation that marks, in {@code meshroll plan}'s output, an object the router deletes. */
  static final String DELETE_ANNOTATION = "meshroll.dev/delete";

  /**
   * One object to create ({@code before} empty) or replace.
   *
   * @param why what differs, as a user reads it: {@code TrafficSplit shop/cart does not exist}
   */
  record Write(
      ObjectRef ref, Optional<Map<String, Object>> before, Map<String, Object> after, String why) {}

  Changes {
    writes = List.copyOf(writes);
    deletions = List.copyOf(deletions);
  }

  boolean none() {
    return writes.isEmpty() && deletions.isEmpty();
  }

  /**
   * The changes as {@code render} returns them: each object to write as it must be, then each
   * object to delete as its name with the annotation {@value #DELETE_ANNOTATION}, since the
   * contract's list of objects has no other way to say "delete".
   */
  List<Map<String, Object>> rendered() {
    List<Map<String, Object>> objects = new ArrayList<>();
    writes.forEach(write -> objects.add(write.after()));
    for (ObjectRef ref : deletions) {
      Map<String, Object> metadata = new LinkedHashMap<>();
      metadata.put("name", ref.name());
      metadata.put("namespace", ref.namespace());
      metadata.put("annotations", Map.of(DELETE_ANNOTATION, "true"));
      Map<String, Object> marker = new LinkedHashMap<>();
      marker.put("apiVersion", ref.apiVersion());
      marker.put("kind", ref.kind());
      marker.put("metadata", metadata);
      objects.add(marker);
    }
    return objects;
  }

  /** Why each change is needed, in order: what {@code verify} reports while any remains. */
  List<String> reasons() {
    List<String> reasons = new ArrayList<>();
    writes.forEach(write -> reasons.add(write.why()));
    deletions.forEach(ref -> reasons.add(ref + " is still there"));
    return reasons;
  }
}
