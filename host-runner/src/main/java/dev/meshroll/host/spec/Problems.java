package dev.meshroll.host.spec;

import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one document while it is read, so that all are reported at once. */
final class Problems {
  private final String file;
  private final List<SpecProblem> found = new ArrayList<>();

  Problems(String file) {
    this.file = file;
  }

  void add(String field, String message) {
    found.add(new SpecProblem(file, field.isEmpty() ? "(document)" : field, message));
  }

  boolean isEmpty() {
    return found.isEmpty();
  }

  int count() {
    return found.size();
  }

  List<SpecProblem> list() {
    return List.copyOf(found);
  }
}
