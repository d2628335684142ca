package dev.meshroll.host.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An analysis a rollout asks for: the AnalysisTemplates (by name, in the rollout's namespace) and
 * the values of their arguments.
 */
public record AnalysisRef(List<String> templates, Map<String, String> args) {
  public AnalysisRef {
    templates = List.copyOf(templates);
    args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
  }
}
