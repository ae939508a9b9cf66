package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.api.spi.StartupMode;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.core.spi.CallListener;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Calls made before the first configuration: they wait for it, bounded, cancellable, in order. */
class StartupWaitTest {
  private static final MeshConfig CONFIG =
      MeshConfig.builder()
          .version("1")
          .cluster(Cluster.builder("c").endpoints(Endpoint.of("127.0.0.1", 1001)).build())
          .service(
              Service.of("svc", Route.builder("main").destinations(Destination.of("c")).build()))
          .build();

  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeAdapter adapter = new FakeAdapter();
  private final StaticConfigSource source = StaticConfigSource.pending();
  private Mesh mesh;

  @AfterEach
  void close() {
    if (mesh != null) {
      mesh.close();
    }
  }

  private Mesh mesh(Mesh.Builder b) {
    mesh = b.ticker(ticker).scheduler(scheduler).random(Randoms.seeded(7)).build();
    return mesh;
  }

  private Mesh mesh() {
    return mesh(Mesh.builder().name("m").configSource(source).startupWait(Duration.ofSeconds(2)));
  }

  private FakeAdapter.Result call(TestRequest request) {
    FakeAdapter.Result r = new FakeAdapter.Result();
    mesh.call(request, adapter, r);
    return r;
  }

  @Test
  void aCallMadeBeforeTheFirstConfigurationStartsWhenItArrivesWithWhatIsLeftOfItsDeadline() {
    mesh();
    FakeAdapter.Result r = call(TestRequest.to("svc").timeoutMillis(1000));
    assertThat(r.done()).isFalse();
    assertThat(adapter.attempts).isEmpty();

    ticker.advance(Duration.ofMillis(300));
    source.update(CONFIG);
    // Released on the scheduler, not on the thread that applied the configuration.
    assertThat(adapter.attempts).isEmpty();
    scheduler.runDueTasks();

    assertThat(r.completed).isNotNull();
    assertThat(r.ends).isEqualTo(1);
    assertThat(adapter.attempts).hasSize(1);
    assertThat(adapter.attempts.get(0).timeoutNanos)
        .isLessThanOrEqualTo(Duration.ofMillis(700).toNanos());
  }

  @Test
  void waitingCallsStartInTheOrderTheyWereMade() {
    mesh();
    List<Integer> ends = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      mesh.call(
          TestRequest.to("svc").path("/" + i),
          adapter,
          new CallListener<FakeAdapter.Started>() {
            @Override
            public void onComplete(FakeAdapter.Started result) {
              ends.add(n);
            }

            @Override
            public void onFailure(MeshException failure) {
              ends.add(-n);
            }
          });
    }
    source.update(CONFIG);
    scheduler.runDueTasks();
    // The fake adapter completes each attempt as it starts: the order of ends is that of starts.
    assertThat(ends).containsExactly(0, 1, 2, 3, 4);
    assertThat(scheduler.pendingTasks()).isEqualTo(1); // housekeeping only: every timer cancelled
  }

  @Test
  void aCallWithADeadlineFailsAtItWithWhatTheSourceIsWaitingFor() {
    mesh();
    FakeAdapter.Result r = call(TestRequest.to("svc").timeoutMillis(250));
    scheduler.advance(Duration.ofMillis(249));
    assertThat(r.done()).isFalse();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(r.failure).isNotNull();
    assertThat(r.failure.reason()).isEqualTo(MeshException.Reason.NOT_READY);
    assertThat(r.failure.getMessage())
        .contains("mesh 'm'")
        .contains("waited 250 ms")
        .contains("StaticConfigSource.update has not been called");

    source.update(CONFIG);
    scheduler.runDueTasks();
    assertThat(adapter.attempts).isEmpty();
    assertThat(r.ends).isEqualTo(1);
  }

  @Test
  void theConfigDumpSaysWhatTheMeshAwaitsAndHowManyCallsWait() {
    mesh();
    call(TestRequest.to("svc"));
    call(TestRequest.to("svc"));
    assertThat(mesh.configDump())
        .contains("\"startupMode\": \"wait\"")
        .contains("\"waitingCalls\": 2")
        .contains("StaticConfigSource.update has not been called");
    source.update(CONFIG);
    scheduler.runDueTasks();
    assertThat(mesh.configDump()).doesNotContain("waitingCalls");
  }

  @Test
  void aCallWithoutADeadlineWaitsTheStartupWait() {
    mesh();
    FakeAdapter.Result r = call(TestRequest.to("svc"));
    scheduler.advance(Duration.ofMillis(1999));
    assertThat(r.done()).isFalse();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(r.failure.reason()).isEqualTo(MeshException.Reason.NOT_READY);
    assertThat(r.failure.getMessage()).contains("waited 2 s");
  }

  @Test
  void aCancelledWaitingCallEndsOnceAndNeverStarts() {
    mesh();
    FakeAdapter.Result r = new FakeAdapter.Result();
    CallHandle h = mesh.call(TestRequest.to("svc"), adapter, r);
    FakeAdapter.Result other = call(TestRequest.to("svc"));
    h.cancel();
    h.cancel();
    assertThat(r.failure.reason()).isEqualTo(MeshException.Reason.CANCELLED);
    assertThat(r.ends).isEqualTo(1);

    source.update(CONFIG);
    scheduler.runDueTasks();
    assertThat(adapter.attempts).hasSize(1);
    assertThat(other.completed).isNotNull();
    assertThat(r.ends).isEqualTo(1);
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(r.ends).isEqualTo(1);
  }

  @Test
  void cancellingAReleasedCallCancelsTheCallItStarted() {
    mesh();
    adapter.answerAll(FakeAdapter.HANG);
    FakeAdapter.Result r = new FakeAdapter.Result();
    CallHandle h = mesh.call(TestRequest.to("svc"), adapter, r);
    source.update(CONFIG);
    scheduler.runDueTasks();
    assertThat(adapter.attempts).hasSize(1);
    h.cancel();
    assertThat(adapter.attempts.get(0).cancelled).isTrue();
    assertThat(r.ends).isEqualTo(1);
  }

  @Test
  void closingTheMeshFailsTheWaitingCallsAndLeavesNoTimer() {
    mesh();
    FakeAdapter.Result a = call(TestRequest.to("svc"));
    FakeAdapter.Result b = call(TestRequest.to("svc").timeoutMillis(100));
    mesh.close();
    assertThat(a.failure.reason()).isEqualTo(MeshException.Reason.NOT_READY);
    assertThat(a.failure.getMessage()).contains("mesh 'm' was closed");
    assertThat(b.failure.reason()).isEqualTo(MeshException.Reason.NOT_READY);
    assertThat(scheduler.pendingTasks()).isZero();

    FakeAdapter.Result late = call(TestRequest.to("svc"));
    assertThat(late.failure.reason()).isEqualTo(MeshException.Reason.NOT_READY);
    assertThat(late.failure.getMessage()).contains("closed");
  }

  @Test
  void onceReadyCallsTakeTheDirectPath() {
    mesh();
    source.update(CONFIG);
    int tasks = scheduler.pendingTasks();
    FakeAdapter.Result r = call(TestRequest.to("svc"));
    assertThat(r.completed).isNotNull();
    assertThat(scheduler.pendingTasks()).isEqualTo(tasks);
  }

  @Test
  void awaitReadySaysWhetherAConfigurationArrivedInTime() throws Exception {
    mesh();
    assertThat(mesh.awaitReady(Duration.ZERO)).isFalse();
    assertThat(mesh.awaitReady(Duration.ofMillis(20))).isFalse();

    CompletableFuture<Boolean> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return mesh.awaitReady(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    source.update(CONFIG);
    assertThat(waiting.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(mesh.awaitReady(Duration.ZERO)).isTrue();
  }

  @Test
  void awaitReadyIsInterruptibleAndReturnsFalseOnceClosed() throws Exception {
    mesh();
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> mesh.awaitReady(Duration.ofSeconds(30)))
        .isInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).isFalse();

    CompletableFuture<Boolean> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return mesh.awaitReady(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    mesh.close();
    assertThat(waiting.get(10, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void failFastFailsTheBuildWhenNoConfigurationComesAndNamesWhatIsAwaited() {
    StaticConfigSource failFast = StaticConfigSource.pending(StartupMode.FAIL_FAST);
    assertThatThrownBy(
            () ->
                mesh(
                    Mesh.builder()
                        .name("ff")
                        .configSource(failFast)
                        .startupWait(Duration.ofMillis(20))))
        .isInstanceOfSatisfying(
            MeshException.class,
            e -> assertThat(e.reason()).isEqualTo(MeshException.Reason.NOT_READY))
        .hasMessageContaining("mesh 'ff' (startup mode fail-fast) has no configuration after 20 ms")
        .hasMessageContaining("StaticConfigSource.update has not been called");
    assertThat(scheduler.pendingTasks()).isZero(); // closed: housekeeping cancelled
  }

  @Test
  void failFastWithAConfigurationBuildsAndCallsAsToday() {
    StaticConfigSource failFast = StaticConfigSource.pending(StartupMode.FAIL_FAST);
    failFast.update(CONFIG);
    mesh(Mesh.builder().configSource(failFast));
    assertThat(mesh.startupMode()).isEqualTo(StartupMode.FAIL_FAST);
    assertThat(call(TestRequest.to("svc")).completed).isNotNull();
    FakeAdapter.Result unknown = call(TestRequest.to("nope"));
    assertThat(unknown.failure.reason()).isEqualTo(MeshException.Reason.UNKNOWN_SERVICE);
  }

  @Test
  void theDefaultStartupWaitIsTenSecondsAndNegativeOnesAreRefused() {
    mesh(Mesh.builder().config(CONFIG));
    assertThat(mesh.startupWait()).isEqualTo(Duration.ofSeconds(10));
    assertThat(mesh.startupMode()).isEqualTo(StartupMode.WAIT);
    assertThatThrownBy(() -> Mesh.builder().startupWait(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
