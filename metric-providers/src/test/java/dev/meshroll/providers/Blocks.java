package dev.meshroll.providers;

import dev.meshroll.api.MetricQuery;
import dev.meshroll.api.RolloutRef;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Provider blocks written in tests, keeping their key order as a YAML document would. */
final class Blocks {
  private Blocks() {}

  /** A mapping of alternating keys and values: {@code of("url", url, "method", "POST")}. */
  static Map<String, Object> of(Object... keysAndValues) {
    Map<String, Object> block = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      block.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return block;
  }

  /** A measurement of {@code block} for the rollout shop/reviews, which waits up to timeout. */
  static MetricQuery query(Map<String, Object> block, Duration timeout) {
    return new MetricQuery(new RolloutRef("shop", "reviews"), "success-rate", block, timeout);
  }
}
