package dev.meshroll.bench;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
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
 * Serializing a route configuration of {@code services} virtual hosts: the bytes once ({@code
 * toByteArray}), packed into an {@code Any} (what a server does once per version when it shares the
 * packed resource, or once per stream when it does not), and a whole {@code DiscoveryResponse}
 * written from an already packed resource (what every stream costs on top).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouteSerializationBenchmark {
  @Param({"10", "100", "1000"})
  int services;

  private RouteConfiguration routes;
  private Any packed;

  @Setup
  public void setUp() {
    routes = new FleetResources(services).routes(10).get(0);
    packed = Any.pack(routes);
  }

  @Benchmark
  public byte[] routeConfigurationToBytes() {
    // Protobuf keeps a message's size once computed, never its bytes: each call writes them.
    return routes.toByteArray();
  }

  @Benchmark
  public Any packIntoAny() {
    return Any.pack(routes);
  }

  @Benchmark
  public byte[] discoveryResponseOfPackedRoute() {
    return DiscoveryResponse.newBuilder()
        .setTypeUrl(Fleet.ROUTE)
        .setVersionInfo("v2")
        .setNonce("7")
        .addResources(packed)
        .build()
        .toByteArray();
  }
}
