package dev.meshroll.host.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.api.Capability;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.api.Verification;
import dev.meshroll.host.spec.SpecFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {
  private static final Path CANARY = Path.of("..", "examples", "reviews-canary.yaml");
  private static final Path BLUE_GREEN = Path.of("..", "examples", "checkout-bluegreen.yaml");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine command = new CommandLine(new Main());
    command.setOut(new PrintWriter(out));
    command.setErr(new PrintWriter(err));
    return command.execute(args);
  }

  private static List<String> steps(String output) {
    List<String> steps = new ArrayList<>();
    Matcher matcher = Pattern.compile("(?m)^step: \"?(.*?)\"?$").matcher(output);
    while (matcher.find()) {
      steps.add(matcher.group(1));
    }
    return steps;
  }

  @Test
  void printsTheIntentOfEveryStepOfTheCanaryExample() {
    assertThat(run("plan", CANARY.toString())).isZero();

    assertThat(steps(out.toString()))
        .containsExactly(
            "steps[0] setMirrorRoute shadow 100%",
            "steps[1] setHeaderRoute tester",
            "steps[2] setWeight 10",
            "steps[5] experiment 10m baseline 5%, candidate 5%",
            "steps[5] experiment 10m baseline 5%, candidate 5% (over: variants back to stable)",
            "steps[6] setMirrorRoute shadow (remove)",
            "steps[7] setWeight 50",
            "promotion all traffic to canary",
            "release");
    assertThat(out.toString())
        .contains("# router 'xds' is not installed: its mesh objects are not shown")
        .contains("      exact: \"1\"\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void printsTheBlueGreenExample() {
    assertThat(run("plan", BLUE_GREEN.toString())).isZero();

    assertThat(steps(out.toString()))
        .containsExactly(
            "previewRoute setHeaderRoute preview", "promotion all traffic to canary", "release");
  }

  @Test
  void theDemoShowsTheCanaryExample() {
    assertThat(run("demo", "--plan")).isZero();
    assertThat(steps(out.toString())).hasSize(9).last().isEqualTo("release");
  }

  @Test
  void anInvalidSpecPrintsItsProblemsAndNothingElse(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, Files.readString(CANARY).replace("setWeight: 50", "setWeight: 500"));

    assertThat(run("plan", file.toString())).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .isEqualTo(
            file + " (document 1): spec.strategy.canary.steps[7].setWeight: 500 is above 100\n");
  }

  @Test
  void aRegexThatRe2RefusesFailsThePlan(@TempDir Path dir) throws IOException {
    // Java's engine accepts a lookahead; Envoy and gRPC (RE2) do not, so it must not reach them.
    Path file = dir.resolve("lookahead.yaml");
    Files.writeString(
        file,
        Files.readString(CANARY)
            .replace("headerValue: {exact: \"1\"}", "headerValue: {regex: \"(?=1)1\"}"));

    assertThat(run("plan", file.toString())).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .isEqualTo(
            file
                + " (document 1): spec.strategy.canary.steps[1].setHeaderRoute.match[0].headerValue.regex:"
                + " '(?=1)1' is not a valid RE2 regular expression (as Envoy and gRPC read it):"
                + " invalid or unsupported Perl syntax: `(?=`\n");
  }

  @Test
  void aMissingFileIsNamed() {
    assertThat(run("plan", "no-such.yaml")).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("no-such.yaml: no such file\n");
  }

  @Test
  void installedRoutersRenderEveryStageFromTheMeshFiles(@TempDir Path dir) throws IOException {
    Path mesh = dir.resolve("mesh.yaml");
    Files.writeString(mesh, "kind: Base\nname: a\n---\nkind: Base\nname: b\n");
    RecordingRouter xds = new RecordingRouter(EnumSet.allOf(Capability.class));
    PlanPrinter printer = printer(Map.of("xds", xds), MeshFiles.read(List.of(mesh)));

    int result = PlanCommand.print(file(CANARY), printer);

    assertThat(result).isZero();
    assertThat(xds.rendered).hasSize(9);
    assertThat(xds.writes).as("plan renders, never applies, verifies or releases").isEmpty();
    assertThat(xds.rendered.get(2).weights()).isEqualTo(Map.of("stable", 90, "canary", 10));
    assertThat(xds.rendered.get(2).config()).containsEntry("virtualHost", "reviews");
    assertThat(xds.rendered.get(2).routing().services())
        .isEqualTo(Map.of("stable", "reviews-stable", "canary", "reviews-canary"));
    assertThat(out.toString())
        .contains(
            "# xds writes 1 object(s) for steps[2] setWeight 10\n---\nkind: Rendered\nfrom: 2\ncanary: 10\n")
        .contains("# router 'istio' is not installed");
  }

  @Test
  void aRouterWithoutACapabilityTheStepsNeedIsRefused() {
    RecordingRouter smi =
        new RecordingRouter(EnumSet.of(Capability.WEIGHTS, Capability.HEADER_ROUTES));

    int result = PlanCommand.print(file(CANARY), printer(Map.of("xds", smi), List.of()));

    assertThat(result).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            CANARY
                + " (document 1): steps[0] setMirrorRoute shadow 100% needs MIRROR_ROUTES, which router 'xds' does not offer\n"
                + CANARY
                + " (document 1): steps[5] experiment 10m baseline 5%, candidate 5% needs MULTIPLE_VERSIONS,"
                + " which router 'xds' does not offer\n");
    assertThat(smi.rendered).isEmpty();
    assertThat(smi.writes).isEmpty();
  }

  @Test
  void aRenderFailureIsShownInPlaceAndFailsThePlan() {
    RecordingRouter xds = new RecordingRouter(EnumSet.allOf(Capability.class));
    xds.failAtCanary = 50;

    int result = PlanCommand.print(file(CANARY), printer(Map.of("xds", xds), List.of()));

    assertThat(result).isEqualTo(1);
    assertThat(out.toString())
        .contains("# xds cannot render steps[7] setWeight 50: route 'primary' refuses 50%");
    assertThat(err.toString())
        .isEqualTo(
            CANARY
                + " (document 1): steps[7] setWeight 50: router 'xds': route 'primary' refuses 50%\n");
    assertThat(xds.rendered).hasSize(9);
  }

  private PlanPrinter printer(Map<String, TrafficRouter> routers, List<Map<String, Object>> mesh) {
    return new PlanPrinter(routers, mesh, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private static SpecFile file(Path path) {
    try {
      return SpecFile.parse(path.toString(), Files.readString(path));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A router that renders one object per intent and remembers what it was asked. */
  private static final class RecordingRouter implements TrafficRouter {
    final Set<Capability> capabilities;
    final List<RouteIntent> rendered = new ArrayList<>();

    /** Calls that touch the mesh; plan must make none. */
    final List<String> writes = new ArrayList<>();

    int failAtCanary = -1;

    RecordingRouter(Set<Capability> capabilities) {
      this.capabilities = capabilities;
    }

    @Override
    public String id() {
      return "xds";
    }

    @Override
    public Set<Capability> capabilities() {
      return capabilities;
    }

    @Override
    public List<ValidationProblem> validate(RolloutRouting routing) {
      return List.of();
    }

    @Override
    public List<Map<String, Object>> render(
        RouteIntent intent, List<Map<String, Object>> meshObjects) throws RouterException {
      rendered.add(intent);
      if (intent.weightOf("canary") == failAtCanary) {
        throw new RouterException("route 'primary' refuses " + failAtCanary + "%");
      }
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("kind", "Rendered");
      object.put("from", meshObjects.size());
      object.put("canary", intent.weightOf("canary"));
      return List.of(object);
    }

    @Override
    public void apply(RouteIntent intent) {
      writes.add("apply " + intent.generation());
    }

    @Override
    public Verification verify(RouteIntent intent) {
      writes.add("verify " + intent.generation());
      return Verification.converged();
    }

    @Override
    public void release(RouteIntent finalIntent) {
      writes.add("release " + finalIntent.generation());
    }
  }
}
