package dev.meshroll.host.cli;

import dev.meshroll.proto.v1.AnalysisMetric;
import dev.meshroll.proto.v1.AnalysisRun;
import dev.meshroll.proto.v1.MetricSample;
import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RolloutList;
import dev.meshroll.proto.v1.RouterState;
import dev.meshroll.proto.v1.Weight;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Rollouts as people read them: a table of many, a view of one. Pure. */
final class RolloutText {
  /** How many of a metric's latest values a rollout's text shows. */
  private static final int RECENT_VALUES = 5;

  private static final int BAR = 40;

  private RolloutText() {}

  static String table(RolloutList list) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAMESPACE", "NAME", "STRATEGY", "PHASE", "STEP", "WEIGHTS", "MESSAGE"});
    for (Rollout rollout : list.getRolloutsList()) {
      rows.add(
          new String[] {
            rollout.getRef().getNamespace(),
            rollout.getRef().getName(),
            rollout.getStrategy(),
            phase(rollout.getPhase()),
            rollout.getStepCount() == 0
                ? "-"
                : Math.min(rollout.getStep() + 1, rollout.getStepCount())
                    + "/"
                    + rollout.getStepCount(),
            rollout.getWeightsList().stream()
                .map(weight -> weight.getVersion() + " " + weight.getPercent())
                .collect(Collectors.joining(", ")),
            rollout.getMessage()
          });
    }
    StringBuilder text = new StringBuilder(columns(rows));
    list.getProblemsList()
        .forEach(problem -> text.append("refused: ").append(problem.getMessage()).append('\n'));
    return text.toString();
  }

  /** Rows as aligned columns; the last column is not padded (it may be long). */
  static String columns(List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length - 1; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        text.append(i == row.length - 1 ? row[i] : pad(row[i], widths[i] + 2));
      }
      text.append('\n');
    }
    return text.toString();
  }

  /** One rollout in detail: step k of n, a bar per version, routers, message. */
  static String view(Rollout rollout) {
    StringBuilder text = new StringBuilder();
    text.append(rollout.getRef().getNamespace()).append('/').append(rollout.getRef().getName());
    if (!rollout.getStrategy().isEmpty()) {
      text.append("  (")
          .append(rollout.getStrategy())
          .append(", revision ")
          .append(rollout.getRevision())
          .append(')');
    }
    text.append('\n');
    line(
        text,
        "Phase",
        phase(rollout.getPhase())
            + (rollout.getOperatorPaused() ? " (paused by an operator)" : ""));
    if (rollout.getStepCount() > 0) {
      int shown = Math.min(rollout.getStep() + 1, rollout.getStepCount());
      line(text, "Step", shown + "/" + rollout.getStepCount() + "  " + rollout.getStepName());
    }
    boolean first = true;
    int width =
        rollout.getWeightsList().stream().mapToInt(w -> w.getVersion().length()).max().orElse(0);
    for (Weight weight : rollout.getWeightsList()) {
      String target = targets(rollout, weight.getVersion());
      line(
          text,
          first ? "Weights" : "",
          pad(weight.getVersion(), width + 1)
              + bar(weight.getPercent())
              + " "
              + weight.getPercent()
              + "%"
              + (target.isEmpty() ? "" : "  " + target));
      first = false;
    }
    if (rollout.getLiveTargetsCount() > 0) {
      line(
          text,
          "Live",
          rollout.getLiveTargetsList().stream()
              .map(live -> live.getTarget() + " (" + live.getRouter() + ")")
              .collect(Collectors.joining(", ")));
    }
    List<String> routes = new ArrayList<>();
    rollout.getHeaderRoutesList().forEach(route -> routes.add("header " + route));
    rollout.getMirrorRoutesList().forEach(route -> routes.add("mirror " + route));
    if (!routes.isEmpty()) {
      line(text, "Routes", String.join(", ", routes));
    }
    for (RouterState router : rollout.getRoutersList()) {
      line(
          text,
          "Router",
          router.getRouter()
              + ": "
              + router.getState().toLowerCase()
              + (router.getDetail().isEmpty() ? "" : " " + router.getDetail())
              + " (generation "
              + rollout.getGeneration()
              + ")");
    }
    for (AnalysisRun run : rollout.getAnalysesList()) {
      line(
          text,
          "Analysis",
          run.getName()
              + " "
              + run.getPhase().toLowerCase()
              + (run.getMessage().isEmpty() ? "" : ": " + run.getMessage()));
      run.getMetricsList().forEach(metric -> line(text, "", "  " + metric(metric)));
    }
    rollout
        .getExperimentsList()
        .forEach(
            experiment ->
                line(
                    text,
                    "Experiment",
                    experiment.getStep()
                        + " "
                        + experiment.getResult().toLowerCase()
                        + (experiment.getMessage().isEmpty()
                            ? ""
                            : ": " + experiment.getMessage())));
    line(text, "Message", rollout.getMessage());
    rollout.getSpecProblemsList().forEach(problem -> line(text, "Refused", problem));
    return text.toString();
  }

  /** {@code reviews-v2 (xds), subset v2 (istio)}: what each router sends a version's share to. */
  private static String targets(Rollout rollout, String version) {
    return rollout.getTargetsList().stream()
        .filter(target -> target.getVersion().equals(version))
        .map(target -> target.getTarget() + " (" + target.getRouter() + ")")
        .collect(Collectors.joining(", "));
  }

  /** {@code error-ratio running 3 measured, 0 failed, 1 error: 0.012 0.009 error 0.011}. */
  private static String metric(AnalysisMetric metric) {
    List<MetricSample> recent = metric.getRecentList();
    String values =
        recent.subList(Math.max(0, recent.size() - RECENT_VALUES), recent.size()).stream()
            .map(
                sample ->
                    sample.getValue().isEmpty()
                        ? sample.getOutcome().toLowerCase()
                        : sample.getValue())
            .collect(Collectors.joining(" "));
    return metric.getName()
        + (metric.getDryRun() ? " (dry run)" : "")
        + " "
        + metric.getPhase().toLowerCase()
        + " "
        + metric.getMeasured()
        + " measured, "
        + metric.getFailed()
        + " failed, "
        + metric.getErrors()
        + (metric.getErrors() == 1 ? " error" : " errors")
        + (values.isEmpty() ? "" : ": " + values);
  }

  private static void line(StringBuilder text, String label, String value) {
    text.append(pad(label.isEmpty() ? "" : label + ":", 10)).append(value).append('\n');
  }

  static String bar(int percent) {
    int filled = Math.round(percent * BAR / 100f);
    return "█".repeat(filled) + "░".repeat(BAR - filled);
  }

  static String phase(Phase phase) {
    String name = phase.name();
    return name.charAt(0) + name.substring(1).toLowerCase();
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text + " " : text + " ".repeat(width - text.length());
  }
}
