package dev.weft.mesh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.runtime.Randoms;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.CallObserver;
import dev.weft.mesh.core.spi.RouteDestination;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallObserverTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeScheduler scheduler = new FakeScheduler(ticker);
  private final FakeAdapter adapter = new FakeAdapter();
  private final Recorder recorder = new Recorder();
  private Mesh mesh;

  @AfterEach
  void close() {
    if (mesh != null) {
      mesh.close();
    }
  }

  record Event(String kind, RouteDestination destination, boolean success, int attempts) {}

  static final class Recorder implements CallObserver {
    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void attemptEnded(RouteDestination destination, boolean success, long latencyNanos) {
      events.add(new Event("attempt", destination, success, -1));
    }

    @Override
    public void callEnded(
        RouteDestination destination, boolean success, long elapsedNanos, int attempts) {
      events.add(new Event("call", destination, success, attempts));
    }
  }

  private static MeshConfig config(String version, String badPolicy) {
    return MeshConfig.builder()
        .version(version)
        .cluster(
            Cluster.builder("c")
                .endpoints(Endpoint.of("127.0.0.1", 1), Endpoint.of("127.0.0.1", 2))
                .loadBalancing(
                    badPolicy == null ? LoadBalancing.DEFAULT : LoadBalancing.of(badPolicy))
                .build())
        .service(
            Service.of(
                "svc",
                Route.builder("r")
                    .destinations(Destination.of("c"))
                    .retry(RetryPolicy.builder().maxAttempts(2).retryOn(RetryOn.FIVE_XX).build())
                    .build()))
        .build();
  }

  private void build(StaticConfigSource source) {
    mesh =
        Mesh.builder()
            .configSource(source)
            .ticker(ticker)
            .scheduler(scheduler)
            .random(Randoms.seeded(1))
            .build();
  }

  private FakeAdapter.Result call() {
    FakeAdapter.Result r = new FakeAdapter.Result();
    mesh.call(TestRequest.to("svc"), adapter, r);
    scheduler.advance(Duration.ofSeconds(1));
    return r;
  }

  @Test
  void aRetriedCallIsTwoAttemptsAndOneSuccessfulCallOfItsRouteDestination() {
    build(new StaticConfigSource(config("1", null)));
    mesh.addCallObserver(recorder);
    adapter.answerAll(s -> s.number == 0 ? AttemptOutcome.http(503) : AttemptOutcome.http(200));

    assertThat(call().completed).isNotNull();

    RouteDestination d = new RouteDestination("svc", "r", "c", "");
    assertThat(recorder.events)
        .containsExactly(
            new Event("attempt", d, false, -1),
            new Event("attempt", d, true, -1),
            new Event("call", d, true, 2));
  }

  @Test
  void aClientErrorIsASuccessAndAServerErrorAFailure() {
    build(new StaticConfigSource(config("1", null)));
    mesh.addCallObserver(recorder);
    adapter.answerAll(s -> AttemptOutcome.http(404));
    call();
    adapter.answerAll(s -> AttemptOutcome.http(500));
    call();

    assertThat(recorder.events.stream().filter(e -> e.kind().equals("call")))
        .extracting(Event::success)
        .containsExactly(true, false);
  }

  @Test
  void anObserverThatThrowsNeitherFailsTheCallNorSilencesTheOthers() {
    build(new StaticConfigSource(config("1", null)));
    mesh.addCallObserver(
        new CallObserver() {
          @Override
          public void attemptEnded(RouteDestination d, boolean success, long latencyNanos) {
            throw new IllegalStateException("boom");
          }

          @Override
          public void callEnded(RouteDestination d, boolean success, long nanos, int attempts) {
            throw new IllegalStateException("boom");
          }
        });
    mesh.addCallObserver(recorder);

    FakeAdapter.Result r = call();

    assertThat(r.completed).isNotNull();
    assertThat(r.failure).isNull();
    assertThat(recorder.events).hasSize(2);
  }

  @Test
  void aRemovedObserverSeesNoMoreCalls() {
    build(new StaticConfigSource(config("1", null)));
    mesh.addCallObserver(recorder);
    call();
    mesh.removeCallObserver(recorder);
    call();

    assertThat(recorder.events).hasSize(2);
  }

  @Test
  void recentConfigUpdatesKeepAcceptedAndRefusedUpdatesWithTheirReasons() {
    StaticConfigSource source = new StaticConfigSource(config("1", null));
    build(source);
    source.update(config("2", null));
    assertThatThrownBy(() -> source.update(config("3", "no-such-policy")))
        .isInstanceOf(InvalidConfigException.class);

    List<ConfigUpdate> updates = mesh.recentConfigUpdates();
    assertThat(updates).extracting(ConfigUpdate::version).containsExactly("1", "2", "3");
    assertThat(updates).extracting(ConfigUpdate::accepted).containsExactly(true, true, false);
    assertThat(updates.get(2).detail()).contains("no-such-policy");
    assertThat(mesh.configVersion()).isEqualTo("2");
  }

  @Test
  void recentConfigUpdatesAreBounded() {
    StaticConfigSource source = new StaticConfigSource(config("0", null));
    build(source);
    for (int i = 1; i <= Mesh.RECENT_CONFIG_UPDATES + 5; i++) {
      source.update(config(Integer.toString(i), null));
    }

    List<ConfigUpdate> updates = mesh.recentConfigUpdates();
    assertThat(updates).hasSize(Mesh.RECENT_CONFIG_UPDATES);
    assertThat(updates.get(updates.size() - 1).version())
        .isEqualTo(Integer.toString(Mesh.RECENT_CONFIG_UPDATES + 5));
  }
}
