package dev.meshroll.providers;

import dev.meshroll.api.Measurement;
import dev.meshroll.api.MetricProvider;
import dev.meshroll.api.MetricQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why a measurement could not be taken, in words for {@link Measurement.Error}; {@link #caught}
 * turns it into that value, so that it never escapes a provider's {@code measure}.
 */
final class CannotMeasure extends Exception {
  CannotMeasure(String message) {
    super(message);
  }

  /** One attempt at a measurement. */
  @FunctionalInterface
  interface Attempt {
    Measurement run() throws CannotMeasure;
  }

  /**
   * Runs {@code attempt}; a failure becomes a {@link Measurement.Error}, logged once in the
   * provider's name, since {@link MetricProvider} promises errors as values, never as exceptions.
   */
  static Measurement caught(MetricProvider provider, MetricQuery query, Attempt attempt) {
    Logger logger = LoggerFactory.getLogger(provider.getClass());
    try {
      return attempt.run();
    } catch (CannotMeasure e) {
      logger.warn("metric {} of rollout {}: {}", query.metric(), query.rollout(), e.getMessage());
      return new Measurement.Error(e.getMessage());
    } catch (RuntimeException e) {
      // A bug of ours; the analysis shows it as an error rather than losing its worker thread.
      logger.warn("metric {} of rollout {} failed", query.metric(), query.rollout(), e);
      return new Measurement.Error(provider.id() + ": " + e);
    }
  }
}
