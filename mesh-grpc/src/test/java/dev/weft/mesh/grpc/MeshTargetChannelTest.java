package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.Backend.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.core.Mesh;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Plain grpc-java channels built for {@code mesh:///simple} targets, with no Weft type at the call
 * site: generated stubs over {@code ManagedChannelBuilder.forTarget} and {@code
 * Grpc.newChannelBuilder} channels get the mesh's routing, splits and attempt loop once a {@link
 * MeshGrpc} is registered as the default.
 */
class MeshTargetChannelTest extends MeshGrpcTestSupport {
  private static final String TARGET = "mesh:///" + SERVICE;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final ScheduledExecutorService slowness = Executors.newSingleThreadScheduledExecutor();
  private MeshGrpcRegistration registration;

  /** Starts the mesh and its client, and registers the client as the default. */
  private void startRegistered(MeshConfig config) {
    start(config);
    registration = grpc.registerDefault();
  }

  /** A channel built the way any existing service builds one: from the target string alone. */
  private ManagedChannel plainChannel() {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(TARGET).build();
    channels.add(channel);
    return channel;
  }

  @AfterEach
  void shutDownChannelsAndCheckTheyLeftNothing() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdown();
      assertThat(channel.awaitTermination(5, TimeUnit.SECONDS))
          .as("%s terminated", channel)
          .isTrue();
    }
    assertThat(MeshGrpcRegistration.watcherCount())
        .as("resolvers still watching the default after their channels shut down")
        .isZero();
    if (registration != null) {
      registration.close();
    }
    assertThat(MeshGrpc.registeredDefault()).isEmpty();
    slowness.shutdownNow();
    assertThat(slowness.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void stubsOnAForTargetChannelFollowAnEightyTwentySplit() {
    Backend a = echo("a");
    Backend b = echo("b");
    startRegistered(
        config(
            "v1",
            route(Destination.of("a", "", 80), Destination.of("b", "", 20)).build(),
            cluster("a", a),
            cluster("b", b)));
    var stub = SimpleServiceGrpc.newBlockingStub(plainChannel());

    int total = 5_000;
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < total; i++) {
      counts.merge(stub.unaryRpc(request("x")).getResponseMessage().split(":")[0], 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsOnly("a", "b");
    assertThat(100.0 * counts.get("a") / total).isCloseTo(80, within(3.0));
    assertThat(100.0 * counts.get("b") / total).isCloseTo(20, within(3.0));
  }

  @Test
  void theServerSeesTheTraceparentOfTheClientsAttemptSpan() {
    InMemorySpanExporter exported = InMemorySpanExporter.create();
    try (OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exported))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build()) {
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      Metadata.Key<String> traceparent =
          Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
      io.grpc.ServerInterceptor capture =
          new io.grpc.ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                io.grpc.ServerCall<Q, R> call,
                Metadata headers,
                io.grpc.ServerCallHandler<Q, R> next) {
              seen.add(headers.get(traceparent));
              return next.startCall(call, headers);
            }
          };
      Backend a = Backend.echo("a", capture);
      backends.add(a);
      start(
          config("v1", route(Destination.of("a")).build(), cluster("a", a)),
          Mesh.builder().openTelemetry(otel),
          MeshGrpc::builder);
      registration = grpc.registerDefault();

      SimpleServiceGrpc.newBlockingStub(plainChannel()).unaryRpc(request("x"));

      assertThat(seen).hasSize(1);
      String[] parts = seen.get(0).split("-");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  exported.getFinishedSpanItems().stream()
                      .anyMatch(d -> d.getKind() == SpanKind.CLIENT));
      SpanData attempt =
          exported.getFinishedSpanItems().stream()
              .filter(d -> d.getKind() == SpanKind.CLIENT)
              .findFirst()
              .orElseThrow();
      assertThat(parts[1]).isEqualTo(attempt.getTraceId());
      assertThat(parts[2]).isEqualTo(attempt.getSpanId());
    }
  }

  @Test
  void callsAreRoutedByMethodAndMetadata() {
    Backend a = echo("a");
    Backend b = echo("b");
    Backend c = echo("c");
    String streaming = "/grpc.testing.SimpleService/ServerStreamingRpc";
    Route canary =
        Route.builder("canary")
            .match(RouteMatch.ANY.withHeaders(HeaderMatch.exact("x-canary", "yes")))
            .destinations(Destination.of("b"))
            .build();
    Route streams =
        Route.builder("streams")
            .match(RouteMatch.path(PathMatch.exact(streaming)))
            .destinations(Destination.of("c"))
            .build();
    Route rest = Route.builder("rest").destinations(Destination.of("a")).build();
    startRegistered(
        MeshConfig.builder()
            .version("v1")
            .service(Service.of(SERVICE, canary, streams, rest))
            .cluster(cluster("a", a))
            .cluster(cluster("b", b))
            .cluster(cluster("c", c))
            .build());
    ManagedChannel channel = plainChannel();
    var stub = SimpleServiceGrpc.newBlockingStub(channel);
    Metadata canaryHeader = new Metadata();
    canaryHeader.put(Metadata.Key.of("x-canary", Metadata.ASCII_STRING_MARSHALLER), "yes");

    assertThat(stub.unaryRpc(request("x")).getResponseMessage()).isEqualTo("a:x");
    assertThat(
            stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(canaryHeader))
                .unaryRpc(request("x"))
                .getResponseMessage())
        .isEqualTo("b:x");
    List<String> streamed = new ArrayList<>();
    stub.serverStreamingRpc(request("s"))
        .forEachRemaining(r -> streamed.add(r.getResponseMessage()));
    assertThat(streamed).containsExactly("c:s:0", "c:s:1", "c:s:2");
    assertThat(channel.authority()).isEqualTo(SERVICE);
  }

  @Test
  void aKilledBackendFailsNoIdempotentCall() throws Exception {
    Backend a = echo("a");
    Backend b = echo("b");
    Backend c = echo("c");
    RetryPolicy retry =
        RetryPolicy.builder()
            .maxAttempts(3)
            .retryOn(RetryOn.UNAVAILABLE, RetryOn.CONNECT_FAILURE, RetryOn.RESET)
            .initialBackoff(Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(5))
            .build();
    OutlierDetection outliers =
        OutlierDetection.builder()
            .consecutiveFailures(5)
            .consecutiveGatewayFailures(3)
            .maxEjectionPercent(50)
            .interval(Duration.ofSeconds(1))
            .baseEjectionTime(Duration.ofSeconds(30))
            .build();
    // Only methods marked idempotent may be retried: the flag must reach the mesh through the
    // plain channel.
    start(
        config(
            "v1",
            route(Destination.of("c")).retry(retry).build(),
            cluster("c", cb -> cb.outlierDetection(outliers), a, b, c)),
        Mesh.builder(),
        m -> MeshGrpc.builder(m).idempotentMethodsOnly(true));
    registration = grpc.registerDefault();
    MethodDescriptor<SimpleRequest, SimpleResponse> idempotentUnary =
        SimpleServiceGrpc.getUnaryRpcMethod().toBuilder().setIdempotent(true).build();
    ManagedChannel channel = plainChannel();

    int total = 2_000;
    int callers = 4;
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < total / callers; i++) {
                  try {
                    ClientCalls.blockingUnaryCall(
                        channel, idempotentUnary, CallOptions.DEFAULT, request("x"));
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                    if (failures.size() < 5) {
                      failures.add(e.toString());
                    }
                  }
                  done.incrementAndGet();
                }
              });
      thread.start();
      threads.add(thread);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> done.get() >= total / 2);
    a.kill();
    int aAtKill = a.calls.get();
    for (Thread thread : threads) {
      thread.join(60_000);
      assertThat(thread.isAlive()).isFalse();
    }
    assertThat(done.get()).isEqualTo(total);
    assertThat(failed.get()).as("failed idempotent calls: %s", failures).isZero();
    assertThat(aAtKill).as("calls a served before it died").isGreaterThan(100);
    assertThat(b.calls.get() + c.calls.get() + aAtKill).isGreaterThanOrEqualTo(total);
    String address = a.endpoint().address();
    await()
        .atMost(Duration.ofSeconds(5))
        .alias("outlier detection ejects the dead backend")
        .untilAsserted(
            () ->
                assertThat(mesh.configDump())
                    .containsPattern(
                        "\"address\"\\s*:\\s*\""
                            + Pattern.quote(address)
                            + "\"[^}]*\"ejected\"\\s*:\\s*true"));
  }

  @Test
  void theClustersCircuitBreakerAndTheRoutesFaultInjectionApply() throws Exception {
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger served = new AtomicInteger();
    Backend holding =
        serving(
            "holding",
            new SimpleServiceGrpc.SimpleServiceImplBase() {
              @Override
              public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
                served.incrementAndGet();
                held.countDown();
                slowness.execute(
                    () -> {
                      try {
                        release.await(10, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      out.onNext(response("done"));
                      out.onCompleted();
                    });
              }
            });
    Route faulty =
        Route.builder("faulty")
            .match(RouteMatch.ANY.withHeaders(HeaderMatch.exact("x-fault", "yes")))
            .destinations(Destination.of("c"))
            .fault(
                new dev.weft.mesh.api.config.FaultInjection(
                    dev.weft.mesh.api.config.FaultInjection.Delay.NONE,
                    new dev.weft.mesh.api.config.FaultInjection.Abort(
                        503, "RESOURCE_EXHAUSTED", 100),
                    List.of()))
            .build();
    startRegistered(
        MeshConfig.builder()
            .version("v1")
            .service(
                Service.of(
                    SERVICE,
                    faulty,
                    Route.builder("main").destinations(Destination.of("c")).build()))
            .cluster(
                cluster(
                    "c",
                    cb ->
                        cb.circuitBreakers(
                            new dev.weft.mesh.api.config.CircuitBreakers(1024, 1024, 1, 1024)),
                    holding))
            .build());
    ManagedChannel channel = plainChannel();
    var blockingStub = SimpleServiceGrpc.newBlockingStub(channel);

    // One call in flight fills the cluster's maxRequests of 1: the next is refused at once.
    var first = SimpleServiceGrpc.newFutureStub(channel).unaryRpc(request("first"));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> blockingStub.unaryRpc(request("second")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).getResponseMessage()).isEqualTo("done");

    // The fault route answers for the backend, with the status it names.
    Metadata fault = new Metadata();
    fault.put(Metadata.Key.of("x-fault", Metadata.ASCII_STRING_MARSHALLER), "yes");
    assertThatThrownBy(
            () ->
                blockingStub
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(fault))
                    .unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
              assertThat(e.getStatus().getDescription()).contains("fault injected");
            });
    assertThat(served.get())
        .as("calls the backend saw: the refused and the faulted ones never reached it")
        .isEqualTo(1);
    assertThat(holding.port()).isPositive();
  }

  @Test
  void aRouteTimeoutEndsTheCallWithDeadlineExceeded() {
    Backend slow =
        serving(
            "slow",
            new SimpleServiceGrpc.SimpleServiceImplBase() {
              @Override
              public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
                Context ctx = Context.current();
                slowness.schedule(
                    () -> {
                      if (!ctx.isCancelled()) {
                        out.onNext(response("late"));
                        out.onCompleted();
                      }
                    },
                    5,
                    TimeUnit.SECONDS);
              }
            });
    startRegistered(
        config(
            "v1",
            route(Destination.of("c")).timeout(Duration.ofMillis(200)).build(),
            cluster("c", slow)));
    var stub = SimpleServiceGrpc.newBlockingStub(plainChannel());

    long started = System.nanoTime();
    assertThatThrownBy(() -> stub.unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
        .as("the call ended by the route's 200 ms timeout, not by the backend's 5 s")
        .isLessThan(4_000);
  }

  @Test
  void grpcNewChannelBuilderWithCredentialsWorksAndReportsWhatItDoesNotUseOnce() throws Exception {
    Backend a = echo("a");
    startRegistered(config("v1", route(Destination.of("c")).build(), cluster("c", a)));

    String log =
        capturingStandardError(
            () -> {
              ManagedChannel insecure =
                  Grpc.newChannelBuilder(TARGET, InsecureChannelCredentials.create()).build();
              channels.add(insecure);
              ManagedChannel tls =
                  Grpc.newChannelBuilder(TARGET, TlsChannelCredentials.create()).build();
              channels.add(tls);
              for (ManagedChannel channel : List.of(insecure, tls)) {
                for (int i = 0; i < 3; i++) {
                  assertThat(
                          SimpleServiceGrpc.newBlockingStub(channel)
                              .unaryRpc(request("x"))
                              .getResponseMessage())
                      .isEqualTo("a:x");
                }
              }
            });
    Matcher reports =
        Pattern.compile("channel for mesh:///simple: its calls are run by").matcher(log);
    int count = 0;
    while (reports.find()) {
      count++;
    }
    assertThat(count).as("one report per channel built, in:%n%s", log).isEqualTo(2);
    assertThat(log).contains("Not used on this path: the channel's credentials");
  }

  @Test
  void withoutARegisteredMeshCallsFailClearlyAndWorkOnceOneIsRegistered() {
    Backend a = echo("a");
    start(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    ManagedChannel channel = plainChannel();
    var stub = SimpleServiceGrpc.newBlockingStub(channel);

    assertThatThrownBy(() -> stub.unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .contains("no MeshGrpc is registered as the process default")
                  .contains(TARGET)
                  .contains("MeshGrpc.registerDefault()");
            });
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.TRANSIENT_FAILURE);

    // The same channel follows the registration: no rebuild, no wait for a re-resolution backoff.
    registration = grpc.registerDefault();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(stub.unaryRpc(request("x")).getResponseMessage()).isEqualTo("a:x"));
    assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);

    // And fails clearly again once the registration ends.
    registration.close();
    assertThatThrownBy(() -> stub.unaryRpc(request("x")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e ->
                assertThat(e.getStatus().getDescription())
                    .contains("no MeshGrpc is registered as the process default"));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE);
  }

  @Test
  void everyFormOfTheTargetReachesTheService() {
    Backend a = echo("a");
    startRegistered(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    for (String target : List.of("mesh:///simple", "mesh:simple", "mesh://anything/simple")) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(target).build();
      channels.add(channel);
      assertThat(channel.authority()).as(target).isEqualTo(SERVICE);
      assertThat(
              SimpleServiceGrpc.newBlockingStub(channel)
                  .unaryRpc(request(target))
                  .getResponseMessage())
          .isEqualTo("a:" + target);
    }
  }

  @Test
  void aTargetWithoutAServiceIsRefusedWhenTheChannelIsBuilt() {
    assertThatThrownBy(() -> ManagedChannelBuilder.forTarget("mesh:///").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names no service")
        .hasMessageContaining("mesh:///<service>");
  }

  @Test
  void shuttingChannelsDownLeavesNothingAndRefusesNewCalls() throws Exception {
    Backend a = echo("a");
    startRegistered(config("v1", route(Destination.of("c")).build(), cluster("c", a)));

    for (int i = 0; i < 50; i++) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(TARGET).build();
      var stub = SimpleServiceGrpc.newBlockingStub(channel);
      assertThat(stub.unaryRpc(request("x" + i)).getResponseMessage()).isEqualTo("a:x" + i);
      channel.shutdown();
      assertThatThrownBy(() -> stub.unaryRpc(request("late")))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      assertThat(channel.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(a.calls.get())
        .as("calls made after shutdown never reached the backend")
        .isEqualTo(50);
    assertThat(MeshGrpcRegistration.watcherCount()).isZero();
    // The endpoint connection belongs to the MeshGrpc, shared by every channel, closed with it.
    assertThat(grpc.openConnections()).isEqualTo(1);
  }

  @Test
  void registrationsNestAndEndWithTheirClient() {
    Backend a = echo("a");
    Backend b = echo("b");
    start(config("v1", route(Destination.of("c")).build(), cluster("c", a)));
    Mesh otherMesh =
        Mesh.builder()
            .name("other")
            .configSource(
                new dev.weft.mesh.core.StaticConfigSource(
                    config("v1", route(Destination.of("c")).build(), cluster("c", b))))
            .build();
    MeshGrpc other = MeshGrpc.create(otherMesh);
    try {
      var stub = SimpleServiceGrpc.newBlockingStub(plainChannel());
      registration = grpc.registerDefault();
      assertThat(stub.unaryRpc(request("x")).getResponseMessage()).isEqualTo("a:x");

      MeshGrpcRegistration second = other.registerDefault();
      assertThat(MeshGrpc.registeredDefault()).containsSame(other);
      assertThat(stub.unaryRpc(request("x")).getResponseMessage()).isEqualTo("b:x");

      second.close();
      assertThat(second.isOpen()).isFalse();
      assertThat(MeshGrpc.registeredDefault()).containsSame(grpc);
      assertThat(stub.unaryRpc(request("x")).getResponseMessage()).isEqualTo("a:x");

      other.registerDefault();
      assertThat(MeshGrpc.registeredDefault()).containsSame(other);
      other.close();
      assertThat(MeshGrpc.registeredDefault())
          .as("closing a client ends its registrations")
          .containsSame(grpc);
      assertThatThrownBy(other::registerDefault)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("it is closed");
    } finally {
      other.close();
      otherMesh.close();
    }
  }

  private static String capturingStandardError(ThrowingRunnable body) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setErr(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text);
    return text;
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
