package dev.meshroll.host.run;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.spec.AnalysisTemplate;
import dev.meshroll.host.spec.RolloutSpec;
import dev.meshroll.host.spec.SpecFile;
import dev.meshroll.host.spec.SpecProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The spec files of a folder, read again when they change. A file that turns invalid keeps its last
 * good content in force: its rollouts go on at their running revision, and its problems are
 * reported beside them.
 */
final class RolloutSource {
  private final Path folder;
  private final Map<Path, Seen> files = new HashMap<>();

  /** What was last read from one file. */
  private record Seen(long modified, long size, SpecFile lastGood, List<SpecProblem> problems) {}

  /**
   * Everything the folder says now.
   *
   * @param rollouts the rollouts in force, from each file's last good content
   * @param problems each file's current problems (files that are valid have none)
   * @param rolloutProblems for each rollout in force, the problems of its file's newest content
   * @param templates the AnalysisTemplates in force, by namespace and name
   * @param changed whether any file was read anew or is gone since the last scan
   */
  record Snapshot(
      Map<RolloutRef, RolloutSpec> rollouts,
      List<SpecProblem> problems,
      Map<RolloutRef, List<String>> rolloutProblems,
      Map<RolloutRef, AnalysisTemplate> templates,
      boolean changed) {}

  RolloutSource(Path folder) {
    this.folder = folder;
  }

  /** Reads what changed since the last scan and returns the whole picture. */
  Snapshot scan() throws IOException {
    Files.createDirectories(folder);
    List<Path> present;
    try (Stream<Path> entries = Files.list(folder)) {
      present =
          entries.filter(Files::isRegularFile).filter(RolloutSource::isSpecFile).sorted().toList();
    }
    // A set, not the list: with 10,000 files a list's contains() made each scan quadratic.
    boolean changed = files.keySet().retainAll(new HashSet<>(present));
    for (Path file : present) {
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        long modified = attributes.lastModifiedTime().toMillis();
        Seen seen = files.get(file);
        if (seen == null || seen.modified() != modified || seen.size() != attributes.size()) {
          files.put(file, read(file, modified, attributes.size(), seen));
          changed = true;
        }
      } catch (NoSuchFileException e) {
        changed |= files.remove(file) != null; // deleted between the listing and the read
      }
    }
    return snapshot(changed);
  }

  private Seen read(Path file, long modified, long size, Seen previous) throws IOException {
    String name = folder.relativize(file).toString();
    SpecFile parsed = SpecFile.parse(name, Files.readString(file));
    SpecFile lastGood = parsed.valid() ? parsed : previous == null ? null : previous.lastGood();
    return new Seen(modified, size, lastGood, parsed.problems());
  }

  private Snapshot snapshot(boolean changed) {
    Map<RolloutRef, RolloutSpec> rollouts = new LinkedHashMap<>();
    Map<RolloutRef, List<String>> rolloutProblems = new LinkedHashMap<>();
    List<SpecProblem> problems = new ArrayList<>();
    Map<RolloutRef, AnalysisTemplate> templates = new LinkedHashMap<>();
    files.keySet().stream()
        .sorted()
        .forEach(
            file -> {
              Seen seen = files.get(file);
              problems.addAll(seen.problems());
              if (seen.lastGood() == null) {
                return;
              }
              for (AnalysisTemplate template : seen.lastGood().templates()) {
                AnalysisTemplate other = templates.putIfAbsent(template.ref(), template);
                if (other != null) {
                  problems.add(
                      alreadyDeclared(
                          template.file(), "AnalysisTemplate", template.ref(), other.file()));
                }
              }
              for (RolloutSpec rollout : seen.lastGood().rollouts()) {
                RolloutSpec other = rollouts.putIfAbsent(rollout.ref(), rollout);
                if (other != null) {
                  problems.add(
                      alreadyDeclared(rollout.file(), "Rollout", rollout.ref(), other.file()));
                  continue;
                }
                rolloutProblems.put(
                    rollout.ref(), seen.problems().stream().map(SpecProblem::toString).toList());
              }
            });
    return new Snapshot(rollouts, problems, rolloutProblems, templates, changed);
  }

  private static SpecProblem alreadyDeclared(
      String file, String kind, RolloutRef ref, String firstFile) {
    return new SpecProblem(
        file, "metadata.name", kind + " " + ref + " is declared in " + firstFile + " already");
  }

  private static boolean isSpecFile(Path file) {
    String name = Objects.toString(file.getFileName());
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }
}
