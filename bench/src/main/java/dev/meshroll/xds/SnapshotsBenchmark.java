package dev.meshroll.xds;

import dev.meshroll.api.HeaderMatch;
import dev.meshroll.api.HeaderRoute;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RolloutRouting;
import dev.meshroll.api.RouteIntent;
import dev.meshroll.api.StringMatch;
import dev.meshroll.bench.FleetResources;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The xDS plugin's hot path from intents to what streams are sent, pure parts only: {@code
 * Snapshots.from} (every rollout's intent overlaid on the base, which {@code XdsRouter} runs on
 * every apply and reload) and {@code ServedSnapshot.next} (packing each resource into an {@code
 * Any} once and digesting it, which {@code XdsServer.publish} runs before the fan-out). The base is
 * {@link FleetResources} with {@code services} virtual hosts in one route configuration, and every
 * service is under a rollout with a weight and a header route.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SnapshotsBenchmark {
  @Param({"10", "100", "1000"})
  int services;

  private ResourceSet base;
  private Map<RolloutRef, RouteIntent> intents;
  private ResourceSet overlaid;
  private ServedSnapshot served;
  private ResourceSet oneRouteChanged;

  @Setup
  public void setUp() {
    FleetResources resources = new FleetResources(services);
    base = BenchXdsServer.set(resources, 0);
    intents = new LinkedHashMap<>();
    for (int service = 0; service < services; service++) {
      intents.put(new RolloutRef("fleet", "svc-" + service), intent(service, 10 + service % 80));
    }
    overlaid = Snapshots.from(base, intents).resources();
    if (!Snapshots.from(base, intents).failures().isEmpty()) {
      throw new IllegalStateException(Snapshots.from(base, intents).failures().toString());
    }
    served = ServedSnapshot.empty("bench").next(overlaid);
    Map<RolloutRef, RouteIntent> changed = new LinkedHashMap<>(intents);
    changed.put(new RolloutRef("fleet", "svc-0"), intent(0, 97));
    oneRouteChanged = Snapshots.from(base, changed).resources();
  }

  private static RouteIntent intent(int service, int canaryWeight) {
    RolloutRouting routing =
        new RolloutRouting(
            new RolloutRef("fleet", "svc-" + service),
            List.of(RolloutRouting.STABLE, RolloutRouting.CANARY),
            Map.of(),
            List.of("tester"),
            Map.of(
                "routeConfiguration",
                FleetResources.ROUTES,
                "virtualHost",
                "svc-" + service,
                "routes",
                List.of("primary"),
                "versions",
                Map.of(
                    RolloutRouting.STABLE,
                    FleetResources.cluster(service, 1),
                    RolloutRouting.CANARY,
                    FleetResources.cluster(service, 2))));
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put(RolloutRouting.STABLE, 100 - canaryWeight);
    weights.put(RolloutRouting.CANARY, canaryWeight);
    return new RouteIntent(
        routing,
        1,
        weights,
        List.of(
            new HeaderRoute(
                "tester",
                RolloutRouting.CANARY,
                List.of(
                    new HeaderMatch("x-canary", new StringMatch(StringMatch.Kind.EXACT, "1"))))),
        List.of());
  }

  /** Every intent overlaid on the base: what each apply recomputes. */
  @Benchmark
  public Object overlayAllIntents() {
    return Snapshots.from(base, intents);
  }

  /** One intent overlaid on its route configuration. */
  @Benchmark
  public Object overlayOneIntent() throws Exception {
    RouteIntent intent = intents.values().iterator().next();
    return Snapshots.overlay(
        base.routes().get(FleetResources.ROUTES), intent, Snapshots.settings(intent), base);
  }

  /** The served snapshot after one route's weights changed: packs and digests what changed. */
  @Benchmark
  public Object nextServedSnapshot() {
    return served.next(oneRouteChanged);
  }
}
