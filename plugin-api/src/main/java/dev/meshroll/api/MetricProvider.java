package dev.meshroll.api;

import java.util.List;
import java.util.Map;
import org.pf4j.ExtensionPoint;

/**
 * An analysis back-end: turns a metric's query into a {@link Measurement}. The built-in providers
 * ({@code prometheus}, {@code web}) implement it too; a plugin adds more.
 *
 * <p>What an implementation must guarantee: {@link #measure} may be called from any host thread for
 * many analyses at once, returns within the query's timeout, and reports failures as {@link
 * Measurement.Error} rather than by throwing.
 */
public interface MetricProvider extends ExtensionPoint {

  /** The provider's key in a metric's {@code provider} block, e.g. {@code prometheus}. */
  String id();

  /**
   * Checks a metric's provider block when its AnalysisTemplate is loaded (arguments are not yet
   * substituted). Returns every problem found, or nothing.
   */
  List<ValidationProblem> validate(Map<String, Object> config);

  /** Takes one measurement. */
  Measurement measure(MetricQuery query);
}
