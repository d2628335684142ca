package dev.meshroll.host.analysis;

import dev.meshroll.api.RolloutRef;
import dev.meshroll.host.spec.AnalysisRef;
import dev.meshroll.host.spec.AnalysisTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins an analysis a rollout asks for with its AnalysisTemplates: finds them in the rollout's
 * namespace, gives every template argument its value, and substitutes {@code {{args.NAME}}} in the
 * metrics' provider blocks. Every problem is found at once, so that the host refuses a rollout with
 * a missing argument when it is loaded rather than when the analysis starts.
 */
public final class AnalysisSetup {
  /** {@code {{args.NAME}}} in a provider block; group 1 is the name. */
  public static final Pattern ARG_REFERENCE = Pattern.compile("\\{\\{\\s*args\\.([^}\\s]*)\\s*}}");

  private AnalysisSetup() {}

  /**
   * A metric ready to measure.
   *
   * @param config its provider block with every argument substituted
   */
  public record ReadyMetric(AnalysisTemplate.Metric metric, Map<String, Object> config) {}

  /**
   * The metrics of an analysis, or why it cannot run.
   *
   * @param templates the templates found, whether or not the analysis can run
   */
  public record Setup(
      List<AnalysisTemplate> templates, List<ReadyMetric> metrics, List<String> problems) {
    public Setup {
      templates = List.copyOf(templates);
      metrics = List.copyOf(metrics);
      problems = List.copyOf(problems);
    }
  }

  /**
   * Resolves {@code analysis} for {@code rollout}.
   *
   * @param templates the templates loaded now, by namespace and name
   * @param providers the ids of the metric providers installed
   */
  public static Setup resolve(
      RolloutRef rollout,
      AnalysisRef analysis,
      Map<RolloutRef, AnalysisTemplate> templates,
      Set<String> providers) {
    List<String> problems = new ArrayList<>();
    List<AnalysisTemplate> found = new ArrayList<>();
    List<ReadyMetric> ready = new ArrayList<>();
    Set<String> declared = new LinkedHashSet<>();
    Map<String, String> metricOwners = new LinkedHashMap<>();
    boolean allFound = true;
    for (String name : analysis.templates()) {
      AnalysisTemplate template = templates.get(new RolloutRef(rollout.namespace(), name));
      if (template == null) {
        allFound = false;
        problems.add(
            "AnalysisTemplate "
                + name
                + " is not in namespace "
                + rollout.namespace()
                + " (no file of the rollouts folder declares it)");
        continue;
      }
      found.add(template);
      Map<String, String> values = new LinkedHashMap<>();
      for (AnalysisTemplate.Arg arg : template.args()) {
        declared.add(arg.name());
        Optional<String> value =
            Optional.ofNullable(analysis.args().get(arg.name())).or(arg::value);
        if (value.isPresent()) {
          values.put(arg.name(), value.get());
        } else {
          problems.add(
              "AnalysisTemplate "
                  + name
                  + " ("
                  + template.file()
                  + ") needs argument '"
                  + arg.name()
                  + "', which has no default and is not given");
        }
      }
      for (AnalysisTemplate.Metric metric : template.metrics()) {
        if (!providers.contains(metric.provider())) {
          problems.add(
              template.providerPath(metric)
                  + ": provider '"
                  + metric.provider()
                  + "' is not installed (installed: "
                  + providers
                  + ")");
          continue;
        }
        String other = metricOwners.putIfAbsent(metric.name(), name);
        if (other != null) {
          problems.add(
              "metric '"
                  + metric.name()
                  + "' is in AnalysisTemplates "
                  + other
                  + " and "
                  + name
                  + "; one analysis cannot measure both");
          continue;
        }
        ready.add(new ReadyMetric(metric, substitute(metric.providerConfig(), values)));
      }
    }
    if (allFound) {
      for (String given : analysis.args().keySet()) {
        if (!declared.contains(given)) {
          problems.add(
              "argument '"
                  + given
                  + "' is given, but no template of "
                  + analysis.templates()
                  + " declares it");
        }
      }
    }
    return new Setup(found, problems.isEmpty() ? ready : List.of(), problems);
  }

  @SuppressWarnings("unchecked")
  private static <T> T substitute(T tree, Map<String, String> values) {
    if (tree instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, value) -> copy.put((String) key, substitute(value, values)));
      return (T) copy;
    }
    if (tree instanceof List<?> list) {
      return (T) list.stream().map(item -> substitute(item, values)).toList();
    }
    if (tree instanceof String text) {
      Matcher matcher = ARG_REFERENCE.matcher(text);
      StringBuilder out = new StringBuilder();
      while (matcher.find()) {
        // Every reference is declared (the template was checked when loaded) and has a value here.
        matcher.appendReplacement(
            out, Matcher.quoteReplacement(values.getOrDefault(matcher.group(1), matcher.group())));
      }
      matcher.appendTail(out);
      return (T) out.toString();
    }
    return tree;
  }
}
