package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What a snapshot works out once for every stream that asks the same. */
class ServedSnapshotTest {
  private final ResourceSet base = Resources.load(Path.of("src/test/resources/base")).resources();
  private final ServedSnapshot snapshot = ServedSnapshot.empty("test").next(base);
  private final ServedSnapshot.TypeState endpoints = snapshot.type(TypeUrls.ENDPOINT);

  private static List<String> names(ServedSnapshot.Changes changes) {
    return changes.resources().stream().map(Resource::getName).toList();
  }

  @Test
  void streamsAskingForTheSameNamesShareOneMapOfOnlyThoseResources() {
    var one = endpoints.subscribed(Set.of("reviews-v1", "reviews-v3", "unknown"), false);
    var same =
        endpoints.subscribed(new HashSet<>(List.of("unknown", "reviews-v3", "reviews-v1")), false);
    var other = endpoints.subscribed(Set.of("reviews-v2"), false);

    assertThat(one).isSameAs(same).containsOnlyKeys("reviews-v1", "reviews-v3");
    assertThat(other).containsOnlyKeys("reviews-v2");
    assertThat(endpoints.subscribed(Set.of(), true)).isSameAs(endpoints.resources());
    assertThat(endpoints.subscribed(Set.of(), false)).isEmpty();
  }

  @Test
  void changesAreSharedOnlyBetweenStreamsHoldingTheSameVersionsForTheSameNames() {
    Set<String> v1 = Set.of("reviews-v1");
    ServedSnapshot.Changes first = endpoints.changesFor(Map.of(), false, v1);
    assertThat(endpoints.changesFor(Map.of(), false, v1)).isSameAs(first);
    assertThat(names(first)).containsExactly("reviews-v1");
    assertThat(first.heldAfter())
        .isEqualTo(Map.of("reviews-v1", endpoints.versions().get("reviews-v1")));

    assertThat(names(endpoints.changesFor(Map.of(), true, v1)))
        .containsExactly("reviews-v1", "reviews-v2", "reviews-v3");
    assertThat(names(endpoints.changesFor(Map.of(), false, Set.of("reviews-v2"))))
        .containsExactly("reviews-v2");
    assertThat(endpoints.changesFor(first.heldAfter(), false, v1).isEmpty()).isTrue();
    Map<String, String> stale = ServedSnapshot.held(Map.of("reviews-v1", "0000000000000000"));
    assertThat(names(endpoints.changesFor(stale, false, v1))).containsExactly("reviews-v1");
    assertThat(endpoints.changesFor(Map.of(), false, v1)).isEqualTo(first);
  }

  @Test
  void aRejectedVersionIsHeldBackAndGoneNamesAreRemovedInOrder() {
    ServedSnapshot.TypeState clusters = snapshot.type(TypeUrls.CLUSTER);
    Map<String, String> held =
        ServedSnapshot.held(
            Map.of(
                "zz-gone",
                "1",
                "aa-gone",
                "2",
                "reviews-v1",
                clusters.versions().get("reviews-v1")));
    Map<String, String> rejected = Map.of("reviews-v2", clusters.versions().get("reviews-v2"));

    ServedSnapshot.Changes changes =
        ServedSnapshot.Changes.of(clusters, held, rejected, true, Set.of());
    assertThat(names(changes)).containsExactly("reviews-v3");
    assertThat(changes.removed()).containsExactly("aa-gone", "zz-gone");
    assertThat(changes.heldAfter())
        .isEqualTo(
            Map.of(
                "reviews-v1", clusters.versions().get("reviews-v1"),
                "reviews-v3", clusters.versions().get("reviews-v3")))
        .isSameAs(ServedSnapshot.held(new TreeMap<>(changes.heldAfter())));
  }

  @Test
  void clustersGoWhenANameOfTheEarlierSnapshotIsMissing() {
    TreeMap<String, Cluster> fewer = new TreeMap<>(base.clusters());
    fewer.remove("reviews-v3");
    ServedSnapshot without =
        snapshot.next(new ResourceSet(base.listeners(), base.routes(), fewer, base.endpoints()));

    assertThat(without.removesClustersOf(snapshot)).isTrue();
    assertThat(snapshot.removesClustersOf(without)).isFalse();
    assertThat(snapshot.next(base).removesClustersOf(snapshot)).isFalse();
  }
}
