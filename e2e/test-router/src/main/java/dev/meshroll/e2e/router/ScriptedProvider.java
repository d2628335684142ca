package dev.meshroll.e2e.router;

import dev.meshroll.api.Measurement;
import dev.meshroll.api.MetricProvider;
import dev.meshroll.api.MetricQuery;
import dev.meshroll.api.ValidationProblem;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.pf4j.Extension;

/**
 * A metric provider from a plugin, for the end-to-end tests: each metric of each rollout answers
 * its block's {@code values} one after another, then the last one again.
 */
@Extension
public final class ScriptedProvider implements MetricProvider {
  private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();

  @Override
  public String id() {
    return "scripted";
  }

  @Override
  public List<ValidationProblem> validate(Map<String, Object> config) {
    return config.get("values") instanceof List<?> values
            && !values.isEmpty()
            && values.stream().allMatch(Number.class::isInstance)
        ? List.of()
        : List.of(new ValidationProblem("values", "expected a list of numbers"));
  }

  @Override
  public Measurement measure(MetricQuery query) {
    List<?> values = (List<?>) query.config().get("values");
    int index =
        asked
            .computeIfAbsent(query.rollout() + "/" + query.metric(), key -> new AtomicInteger())
            .getAndIncrement();
    return new Measurement.Value(values.get(Math.min(index, values.size() - 1)));
  }
}
