package dev.weft.benchmarks;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.core.spi.Attempt;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.AttemptContext;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.AttemptSink;
import dev.weft.mesh.core.spi.CallListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * A whole call through the engine with an adapter that answers at once: routing, picking, the
 * attempt loop's bookkeeping (circuit breaker, budget, endpoint stats, outlier tracking), and
 * metric recording when a registry is given. This is the mesh's own cost per call, without any I/O.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class CallPathBenchmark {

  @Param({"false", "true"})
  boolean metrics;

  private Mesh mesh;
  private BenchRequest request;
  private final AttemptAdapter<Object> adapter =
      new AttemptAdapter<>() {
        @Override
        public Attempt start(AttemptContext context, AttemptSink<Object> sink) {
          sink.complete(RESULT, AttemptOutcome.http(200));
          return NO_CANCEL;
        }
      };
  private static final Object RESULT = new Object();
  private static final Attempt NO_CANCEL = () -> {};

  @Setup
  public void setUp() {
    List<Endpoint> eps = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      eps.add(Endpoint.of("10.0.0." + i, 8080));
    }
    Mesh.Builder b =
        Mesh.builder()
            .config(
                MeshConfig.builder()
                    .cluster(Cluster.builder("ratings").endpoints(eps).build())
                    .service(
                        Service.of(
                            "ratings",
                            Route.builder("r")
                                .destinations(Destination.of("ratings"))
                                .retry(RetryPolicy.builder().maxAttempts(3).build())
                                .build()))
                    .build());
    if (metrics) {
      b.meterRegistry(new SimpleMeterRegistry());
    }
    mesh = b.build();
    request = new BenchRequest("ratings", "/ratings/1", "GET", "x", "y");
  }

  @TearDown
  public void tearDown() {
    mesh.close();
  }

  @Benchmark
  public void call(Blackhole bh) {
    mesh.call(
        request,
        adapter,
        new CallListener<>() {
          @Override
          public void onComplete(Object result) {
            bh.consume(result);
          }

          @Override
          public void onFailure(MeshException failure) {
            bh.consume(failure);
          }
        });
  }
}
