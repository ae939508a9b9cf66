package dev.weft.mesh.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.config.file.MeshConfigYaml;
import dev.weft.mesh.core.Mesh;
import dev.weft.mesh.grpc.MeshGrpc;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same breaker over gRPC: a cluster names it in the YAML, generated stubs call a grpc-java
 * Netty server through {@link MeshGrpc}; UNAVAILABLE counts as a failure, INVALID_ARGUMENT does
 * not, and an open breaker answers UNAVAILABLE with its exception as the cause.
 */
class GrpcCircuitBreakerTest {
  private final MutableClock clock = new MutableClock();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicReference<Status> answer = new AtomicReference<>(Status.UNAVAILABLE);
  private final AtomicInteger served = new AtomicInteger();
  private Server server;
  private CircuitBreakerRegistry breakers;
  private Mesh mesh;
  private MeshGrpc grpc;

  @BeforeEach
  void start() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new SimpleServiceGrpc.SimpleServiceImplBase() {
                  @Override
                  public void unaryRpc(
                      SimpleRequest request, StreamObserver<SimpleResponse> responses) {
                    served.incrementAndGet();
                    Status s = answer.get();
                    if (s.isOk()) {
                      responses.onNext(
                          SimpleResponse.newBuilder().setResponseMessage("ok").build());
                      responses.onCompleted();
                    } else {
                      responses.onError(s.asRuntimeException());
                    }
                  }
                })
            .build()
            .start();
    breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowSize(4)
                .minimumNumberOfCalls(4)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(10))
                .permittedNumberOfCallsInHalfOpenState(1)
                .clock(clock)
                .build());
    breakers.circuitBreaker("ratings");
    String yaml =
        """
        clusters:
          simple:
            endpoints: [{address: "127.0.0.1:%d"}]
            resilience4j: {circuitBreaker: ratings}
        """
            .formatted(server.getPort());
    mesh =
        Mesh.builder()
            .config(MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "mesh.yaml"))
            .callGuards(
                Resilience4jCallGuards.builder()
                    .circuitBreakerRegistry(breakers)
                    .meterRegistry(meters)
                    .build())
            .build();
    grpc = MeshGrpc.create(mesh);
  }

  @AfterEach
  void stop() throws Exception {
    if (grpc != null) {
      grpc.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private SimpleResponse call() {
    return SimpleServiceGrpc.newBlockingStub(grpc.channel("simple"))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unaryRpc(SimpleRequest.newBuilder().setRequestMessage("hi").build());
  }

  private static Status.Code codeOf(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void unavailableOpensTheBreakerWhichAnswersUnavailableWithItsOwnException() {
    CircuitBreaker breaker = breakers.circuitBreaker("ratings");

    // Client errors are the caller's mistake: they do not count against the service.
    answer.set(Status.INVALID_ARGUMENT);
    for (int i = 0; i < 4; i++) {
      assertThat(codeOf(this::call)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();

    // Two UNAVAILABLE make the window of four half failures: 50%, the threshold, opens it.
    answer.set(Status.UNAVAILABLE);
    int servedBefore = served.get();
    assertThat(codeOf(this::call)).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(codeOf(this::call)).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(served.get()).isEqualTo(servedBefore + 2);
    int servedWhenOpened = served.get();

    assertThatThrownBy(this::call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .contains("cluster 'simple'")
                  .contains("CircuitBreaker 'ratings' is OPEN");
              assertThat(e.getStatus().getCause())
                  .isInstanceOfSatisfying(
                      MeshException.class,
                      m -> {
                        assertThat(m.reason()).isEqualTo(MeshException.Reason.CIRCUIT_OPEN);
                        assertThat(m.getCause()).isInstanceOf(CallNotPermittedException.class);
                      });
            });
    assertThat(served.get()).isEqualTo(servedWhenOpened);

    // Half-open after the wait: one trial call, which succeeds and closes the breaker.
    clock.advance(Duration.ofSeconds(11));
    answer.set(Status.OK);
    assertThat(call().getResponseMessage()).isEqualTo("ok");
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(
            meters
                .get("resilience4j.circuitbreaker.calls")
                .tag("name", "ratings")
                .tag("kind", "failed")
                .timer()
                .count())
        .isEqualTo(2);
  }
}
