package dev.meshroll.api;

import java.util.Objects;

/**
 * What one measurement of a metric gave. An outcome, not an exception: the host weighs errors and
 * missing data by the template's limits and {@code noData} policy.
 */
public sealed interface Measurement {

  /**
   * The metric's value.
   *
   * @param result a {@code Number}, {@code Boolean} or {@code String}, or a {@code List} or a
   *     {@code Map} (with {@code String} keys) of them, as the provider's source returns it;
   *     conditions see it as {@code result}
   */
  record Value(Object result) implements Measurement {
    public Value {
      Objects.requireNonNull(result, "result");
    }
  }

  /**
   * The source answered, but with nothing to judge (an empty vector, NaN).
   *
   * @param reason what the source returned, e.g. {@code query returned no series}
   */
  record NoData(String reason) implements Measurement {
    public NoData {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The source could not be asked or refused the query.
   *
   * @param message the source's own words where it gave any, e.g. {@code parse error at char 5}
   */
  record Error(String message) implements Measurement {
    public Error {
      Objects.requireNonNull(message, "message");
    }
  }
}
