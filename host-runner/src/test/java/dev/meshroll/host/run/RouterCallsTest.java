package dev.meshroll.host.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshroll.api.RouterException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class RouterCallsTest {
  private final HostMetrics metrics = new HostMetrics();

  @Test
  void aHangingCallFailsAfterTheTimeoutAndIsCounted() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (RouterCalls calls = new RouterCalls(Duration.ofMillis(200), metrics)) {
      assertThatThrownBy(
              () ->
                  calls.call(
                      "istio",
                      "apply",
                      () -> {
                        never.await();
                        return null;
                      }))
          .isInstanceOf(RouterException.class)
          .hasMessage("istio: apply did not answer within 0.2s");
    }
    assertThat(errors("istio", "apply")).isEqualTo(1.0);
  }

  @Test
  void aThrowingCallSaysWhatItThrew() {
    try (RouterCalls calls = new RouterCalls(Duration.ofSeconds(5), metrics)) {
      assertThatThrownBy(
              () ->
                  calls.call(
                      "smi",
                      "verify",
                      () -> {
                        throw new IllegalStateException("no TrafficSplit api");
                      }))
          .isInstanceOf(RouterException.class)
          .hasMessage("smi: verify threw IllegalStateException: no TrafficSplit api");
    }
  }

  @Test
  void aRouterExceptionKeepsTheRoutersOwnWords() throws Exception {
    try (RouterCalls calls = new RouterCalls(Duration.ofSeconds(5), metrics)) {
      assertThatThrownBy(
              () ->
                  calls.call(
                      "xds",
                      "apply",
                      () -> {
                        throw new RouterException("xds: cluster reviews-v2 is unknown");
                      }))
          .hasMessage("xds: cluster reviews-v2 is unknown");
      assertThat(calls.call("xds", "verify", () -> "fine")).isEqualTo("fine");
    }
  }

  private double errors(String router, String call) {
    return metrics.registry().scrape().stream()
        .filter(snapshot -> snapshot.getMetadata().getName().equals("meshroll_plugin_call_errors"))
        .flatMap(snapshot -> snapshot.getDataPoints().stream())
        .filter(
            point ->
                point.getLabels().get("router").equals(router)
                    && point.getLabels().get("call").equals(call))
        .mapToDouble(
            point ->
                ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot)
                        point)
                    .getValue())
        .sum();
  }
}
