package dev.meshroll.api;

import java.util.Objects;

/**
 * One thing wrong with a config, found before anything is applied.
 *
 * @param field the path of the offending field inside the config, e.g. {@code
 *     virtualService.routes[1]}; empty when the problem concerns the whole config
 * @param message what is wrong and what was expected, e.g. {@code VirtualService bookinfo/reviews
 *     has no HTTP route 'primary' (expected one of: [api, web])}
 */
public record ValidationProblem(String field, String message) {
  public ValidationProblem {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return field.isEmpty() ? message : field + ": " + message;
  }
}
