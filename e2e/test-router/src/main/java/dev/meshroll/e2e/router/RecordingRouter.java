package dev.meshroll.e2e.router;

import dev.meshroll.api.Capability;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.RouterException;
import dev.meshroll.api.TrafficRouter;
import dev.meshroll.api.ValidationProblem;
import dev.meshroll.api.Verification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.Extension;

/**
 * A router for the end-to-end tests: appends one line per call to the file its settings name
 * ({@code log}), so that a test sees what the host asked, in order, across host restarts. A
 * rollout's config can make it misbehave: {@code failAt: W} throws on applying canary weight W,
 * {@code hangAt: W} never returns, {@code pending: N} answers pending N times per generation.
 */
@Extension
public final class RecordingRouter implements TrafficRouter {
  private final Map<String, Integer> verifications = new ConcurrentHashMap<>();
  private volatile Path log;

  @Override
  public String id() {
    return "recorder";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.allOf(Capability.class);
  }

  @Override
  public void start(Map<String, Object> settings, Path configDirectory) throws RouterException {
    Object file = settings.get("log");
    if (!(file instanceof String name)) {
      throw new RouterException("recorder: settings need log: FILE");
    }
    log = configDirectory.resolve(name);
  }

  @Override
  public List<ValidationProblem> validate(RolloutRouting routing) {
    Object failAt = routing.config().get("failAt");
    return failAt == null || failAt instanceof Integer
        ? List.of()
        : List.of(new ValidationProblem("failAt", "expected a whole number, got " + failAt));
  }

  @Override
  public List<Map<String, Object>> render(
      RouteIntent intent, List<Map<String, Object>> meshObjects) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("kind", "Recorded");
    object.put("weights", intent.weights());
    return List.of(object);
  }

  @Override
  public void apply(RouteIntent intent) throws RouterException {
    int canary = intent.weightOf(RolloutRouting.CANARY);
    if (Integer.valueOf(canary).equals(intent.config().get("hangAt"))) {
      record("hang", intent);
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RouterException("recorder: interrupted while hanging");
      }
    }
    if (Integer.valueOf(canary).equals(intent.config().get("failAt"))) {
      record("fail", intent);
      throw new RouterException("recorder: refusing canary weight " + canary + " as told (failAt)");
    }
    record("apply", intent);
  }

  @Override
  public Verification verify(RouteIntent intent) throws RouterException {
    int pending = intent.config().get("pending") instanceof Integer count ? count : 0;
    int asked = verifications.merge(intent.rollout() + "#" + intent.generation(), 1, Integer::sum);
    return asked <= pending
        ? Verification.pending(asked + "/" + (pending + 1) + " checks")
        : Verification.converged();
  }

  @Override
  public void release(RouteIntent finalIntent) throws RouterException {
    record("release", finalIntent);
  }

  /** One line per call: what, rollout, generation, weights, managed routes. */
  private void record(String call, RouteIntent intent) throws RouterException {
    String line =
        call
            + " "
            + intent.rollout()
            + " "
            + intent.generation()
            + " "
            + intent.weights()
            + " headers="
            + intent.headerRoutes().stream().map(route -> route.name()).toList()
            + " mirrors="
            + intent.mirrorRoutes().stream().map(route -> route.name()).toList()
            + "\n";
    try {
      // One write of a whole line, appended: a host killed mid-call leaves whole lines behind.
      Files.writeString(
          log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new RouterException("recorder: cannot write " + log + ": " + e.getMessage());
    }
  }
}
