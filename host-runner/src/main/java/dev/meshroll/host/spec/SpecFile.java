package dev.meshroll.host.spec;

import java.util.List;

/**
 * What one spec file holds: its rollouts and analysis templates, or the problems that keep all of
 * them from being used. A file with any problem yields no documents at all, so that nothing is
 * applied half-way.
 */
public record SpecFile(
    String file,
    List<RolloutSpec> rollouts,
    List<AnalysisTemplate> templates,
    List<SpecProblem> problems) {
  public SpecFile {
    problems = List.copyOf(problems);
    rollouts = problems.isEmpty() ? List.copyOf(rollouts) : List.of();
    templates = problems.isEmpty() ? List.copyOf(templates) : List.of();
  }

  public boolean valid() {
    return problems.isEmpty();
  }

  /** Parses the YAML text of a file; {@code file} names it in messages. Never throws. */
  public static SpecFile parse(String file, String yaml) {
    return Specs.parse(file, yaml);
  }
}
