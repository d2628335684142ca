package dev.meshroll.host.spec;

/**
 * One thing wrong with a spec file, shown to the user verbatim: {@code reviews.yaml:
 * spec.strategy.canary.steps[3].setWeight: 120 is above 100}.
 *
 * @param file the file, as the user named it (with {@code (document N)} in a multi-document file)
 * @param field the path of the offending field, or {@code (document)} for the whole document
 * @param message what is wrong, and what was expected
 */
public record SpecProblem(String file, String field, String message) {
  @Override
  public String toString() {
    return file + ": " + field + ": " + message;
  }
}
