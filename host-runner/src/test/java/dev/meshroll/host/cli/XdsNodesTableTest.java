package dev.meshroll.host.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.meshroll.proto.v1.RouterStatusResponse;
import org.junit.jupiter.api.Test;

/** {@code meshroll xds nodes} as people read it. */
class XdsNodesTableTest {
  private static RouterStatusResponse status(String json) throws Exception {
    Struct.Builder tree = Struct.newBuilder();
    JsonFormat.parser().merge(json, tree);
    return RouterStatusResponse.newBuilder().setRouter("xds").setStatus(tree).build();
  }

  @Test
  void oneRowPerNodeWithItsGenerationsVersionsAndStandingNack() throws Exception {
    String table =
        XdsCommand.Nodes.table(
            status(
                """
                {"epoch": "mx6dqtnj", "nodes": [
                  {"id": "edge-1", "cluster": "edge", "streams": 1,
                   "connectedSince": "2026-12-02T18:20:01Z",
                   "acked": {"Cluster": "mx6dqtnj-3", "ClusterLoadAssignment": "mx6dqtnj-3",
                             "Listener": "mx6dqtnj-1", "RouteConfiguration": "mx6dqtnj-5"},
                   "generations": {"bookinfo/reviews": 4}},
                  {"id": "edge-2", "cluster": "edge", "streams": 4,
                   "connectedSince": "2026-12-02T18:20:02Z",
                   "acked": {"Cluster": "", "RouteConfiguration": "mx6dqtnj-4"},
                   "generations": {"bookinfo/reviews": 3},
                   "lastNack": {"type": "Cluster", "version": "mx6dqtnj-3",
                                "resources": ["reviews-v2"], "message": "unsupported lb_policy",
                                "at": "2026-12-02T18:21:07Z"}}]}
                """));
    assertThat(table)
        .isEqualTo(
            """
            xDS server run mx6dqtnj (versions below are N of mx6dqtnj-N)
            NODE    CLUSTER  STREAMS  CONNECTED SINCE       ROLLOUTS                ACKED                    LAST NACK
            edge-1  edge     1        2026-12-02T18:20:01Z  bookinfo/reviews gen 4  LDS 1 RDS 5 CDS 3 EDS 3  -
            edge-2  edge     4        2026-12-02T18:20:02Z  bookinfo/reviews gen 3  RDS 4 CDS -              2026-12-02T18:21:07Z CDS 3 'reviews-v2': unsupported lb_policy
            """);
  }

  @Test
  void anEmptyFleetSaysSo() throws Exception {
    assertThat(XdsCommand.Nodes.table(status("{\"epoch\": \"e\", \"nodes\": []}")))
        .isEqualTo("(no node connected)\n");
  }
}
