package dev.weft.benchmarks;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.RouteDecision;
import dev.weft.mesh.core.spi.CallRequest;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route + pick: what the mesh does for every call before an attempt leaves (first-match routing
 * over three routes with path and header conditions, a weighted split between two subsets, and the
 * balancer's pick), at 10 and at 10,000 endpoints.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class RoutePickBenchmark {

  @Param({"10", "10000"})
  int endpoints;

  @Param({"round_robin", "least_request", "ring_hash", "maglev", "random"})
  String policy;

  private Mesh mesh;
  private CallRequest request;

  @Setup
  public void setUp() {
    List<Endpoint> eps = new ArrayList<>(endpoints);
    for (int i = 0; i < endpoints; i++) {
      eps.add(
          Endpoint.builder("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 8080)
              .labels(Map.of("version", i % 2 == 0 ? "v1" : "v2"))
              .build());
    }
    Cluster reviews =
        Cluster.builder("reviews")
            .endpoints(eps)
            .subsets(
                new Subset("v1", Map.of("version", "v1")),
                new Subset("v2", Map.of("version", "v2")))
            .loadBalancing(LoadBalancing.of(policy))
            .build();
    mesh =
        Mesh.builder()
            .config(
                MeshConfig.builder()
                    .cluster(reviews)
                    .service(
                        new Service(
                            "reviews",
                            List.of(
                                Route.builder("jason")
                                    .match(
                                        RouteMatch.ANY.withHeaders(
                                            HeaderMatch.exact("end-user", "jason")))
                                    .destinations(Destination.of("reviews", "v2", 1))
                                    .build(),
                                Route.builder("admin")
                                    .match(RouteMatch.path(PathMatch.prefix("/admin")))
                                    .destinations(Destination.of("reviews"))
                                    .build(),
                                Route.builder("split")
                                    .destinations(
                                        Destination.of("reviews", "v1", 90),
                                        Destination.of("reviews", "v2", 10))
                                    .build())))
                    .build())
            .build();
    request = new BenchRequest("reviews", "/reviews/42", "GET", "end-user", "ann");
  }

  @TearDown
  public void tearDown() {
    mesh.close();
  }

  @Benchmark
  public RouteDecision routeAndPick() {
    return mesh.decide(request);
  }
}
