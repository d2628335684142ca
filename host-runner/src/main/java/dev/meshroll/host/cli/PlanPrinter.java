package dev.meshroll.host.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.meshroll.api.Capability;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.host.engine.Plan;
import dev.meshroll.host.engine.Rehearsal;
import dev.meshroll.host.spec.RolloutSpec;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints a rollout's plan as YAML documents: for every stage the intent, and for every installed
 * router of the rollout the mesh objects it would write, rendered from the given mesh objects.
 */
final class PlanPrinter {
  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .build();

  private final Map<String, TrafficRouter> installed;
  private final List<Map<String, Object>> meshObjects;
  private final PrintWriter out;
  private final PrintWriter err;

  PlanPrinter(
      Map<String, TrafficRouter> installed,
      List<Map<String, Object>> meshObjects,
      PrintWriter out,
      PrintWriter err) {
    this.installed = installed;
    this.meshObjects = meshObjects;
    this.out = out;
    this.err = err;
  }

  /**
   * Prints the plan of one rollout.
   *
   * @return 0 when every stage printed; 1 when a router could not render a stage; 2 when an
   *     installed router lacks a capability the rollout needs
   */
  int print(RolloutSpec spec) {
    Plan plan = Plan.of(spec);
    Map<String, Set<Capability>> capabilities = new LinkedHashMap<>();
    plan.routers().stream()
        .filter(installed::containsKey)
        .forEach(router -> capabilities.put(router, installed.get(router).capabilities()));
    List<String> refusals = plan.refusals(capabilities);
    if (!refusals.isEmpty()) {
      refusals.forEach(err::println);
      return 2;
    }
    out.println(
        "# " + spec.ref() + " (revision " + spec.revision() + ", from " + spec.file() + ")");
    plan.routers().stream()
        .filter(router -> !installed.containsKey(router))
        .forEach(
            router ->
                out.println(
                    "# router '" + router + "' is not installed: its mesh objects are not shown"));
    int result = 0;
    for (Rehearsal.Stage stage : Rehearsal.of(spec)) {
      document(IntentYaml.of(spec.ref().toString(), stage.step(), stage.traffic()));
      for (String router : plan.routers()) {
        if (!installed.containsKey(router)) {
          continue;
        }
        try {
          List<Map<String, Object>> objects =
              installed.get(router).render(plan.intent(router, stage.traffic()), meshObjects);
          out.println(
              "# " + router + " writes " + objects.size() + " object(s) for " + stage.step());
          objects.forEach(this::document);
        } catch (RouterException | RuntimeException e) {
          // A plugin's failure to render is this stage's problem, shown in place, not the CLI's.
          out.println("# " + router + " cannot render " + stage.step() + ": " + e.getMessage());
          err.println(
              spec.file() + ": " + stage.step() + ": router '" + router + "': " + e.getMessage());
          result = 1;
        }
      }
    }
    out.flush();
    return result;
  }

  /** Reports a problem that keeps the plan from printing. */
  void problem(String message) {
    err.println(message);
    err.flush();
  }

  private void document(Map<String, Object> yaml) {
    try {
      out.println("---");
      out.print(YAML.writeValueAsString(yaml));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("plain maps always serialize", e);
    }
  }
}
