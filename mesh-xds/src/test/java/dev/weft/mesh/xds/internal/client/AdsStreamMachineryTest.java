package dev.weft.mesh.xds.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.runtime.RandomSource;
import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client's stream machinery against an in-process ADS server whose every response the test
 * writes, in both forms of the protocol, with time and randomness in the test's hands.
 */
class AdsStreamMachineryTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration RESOURCE_TIMEOUT = Duration.ofSeconds(15);

  private final FakeScheduler scheduler = new FakeScheduler(new FakeTicker());
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final Draws random = new Draws(0.5);

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void anAcceptedResponseIsAckedWithItsVersionAndNonce(boolean delta) throws Exception {
    InProcessAds ads = server("ack");
    XdsClient client = client(delta, ads);
    Recorder watcher = new Recorder();
    client.watch(TestTypes.APIS, "a", watcher);
    client.start();
    await().atMost(WAIT).until(() -> requests(ads, delta).size() == 1);

    String nonce = ads.respond(TestTypes.APIS.typeUrl(), "1", TestTypes.api("a", "x"));

    await().atMost(WAIT).until(() -> requests(ads, delta).size() == 2);
    Object ack = requests(ads, delta).get(1);
    if (delta) {
      DeltaDiscoveryRequest r = (DeltaDiscoveryRequest) ack;
      assertThat(r.getResponseNonce()).isEqualTo(nonce);
      assertThat(r.hasErrorDetail()).isFalse();
    } else {
      DiscoveryRequest r = (DiscoveryRequest) ack;
      assertThat(r.getResponseNonce()).isEqualTo(nonce);
      assertThat(r.getVersionInfo()).isEqualTo("1");
      assertThat(r.getResourceNamesList()).containsExactly("a");
      assertThat(r.hasErrorDetail()).isFalse();
    }
    await().atMost(WAIT).until(() -> watcher.events.contains("changed a=x"));
    assertThat(client.status().type(TestTypes.APIS).orElseThrow().version()).isEqualTo("1");
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void aRejectedResponseIsNackedWithItsNonceAndAnErrorDetailAndTheVersionInForceStays(boolean delta)
      throws Exception {
    InProcessAds ads = server("nack");
    XdsClient client = client(delta, ads);
    Recorder watcher = new Recorder();
    client.watch(TestTypes.APIS, "a", watcher);
    client.start();
    await().atMost(WAIT).until(() -> requests(ads, delta).size() == 1);
    ads.respond(TestTypes.APIS.typeUrl(), "1", TestTypes.api("a", "x"));
    await().atMost(WAIT).until(() -> requests(ads, delta).size() == 2);

    String nonce = ads.respond(TestTypes.APIS.typeUrl(), "2", TestTypes.api("a", "bad"));

    await().atMost(WAIT).until(() -> requests(ads, delta).size() == 3);
    Object nack = requests(ads, delta).get(2);
    com.google.rpc.Status detail;
    if (delta) {
      DeltaDiscoveryRequest r = (DeltaDiscoveryRequest) nack;
      assertThat(r.getResponseNonce()).isEqualTo(nonce);
      detail = r.getErrorDetail();
    } else {
      DiscoveryRequest r = (DiscoveryRequest) nack;
      assertThat(r.getResponseNonce()).isEqualTo(nonce);
      assertThat(r.getVersionInfo())
          .as("the version in force, not the rejected one")
          .isEqualTo("1");
      detail = r.getErrorDetail();
    }
    assertThat(detail.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(detail.getMessage()).contains("Api 'a': value: bad");
    await()
        .atMost(WAIT)
        .until(() -> watcher.events.stream().anyMatch(e -> e.startsWith("error a:")));
    assertThat(watcher.events).containsExactly("changed a=x", "error a: Api 'a': value: bad");
    XdsClientStatus.TypeStatus st = client.status().type(TestTypes.APIS).orElseThrow();
    assertThat(st.version()).isEqualTo("1");
    assertThat(st.rejected()).isEqualTo(1);
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void reconnectionWaitsAreDrawnFromTheInjectedRandomAndGrowUpToTheCap(boolean delta)
      throws Exception {
    InProcessAds ads = server("backoff");
    ads.refuseWith = Status.UNAVAILABLE.withDescription("go away");
    XdsClient client = client(delta, ads);
    client.start();
    // 1 s growing by 1.6 up to 3 s; the draw of 0.5 puts each wait on its base (no jitter either
    // way).
    long[] waitsMillis = {1_000, 1_600, 2_560, 3_000, 3_000};
    for (int i = 0; i < waitsMillis.length; i++) {
      int streams = i + 1;
      await()
          .atMost(WAIT)
          .until(() -> ads.streams.size() == streams && scheduler.pendingTasks() == 1);
      assertThat(random.draws.get()).isEqualTo(streams);
      scheduler.advance(Duration.ofMillis(waitsMillis[i] - 1));
      assertThat(scheduler.pendingTasks())
          .as("no reconnection before wait %d is over", streams)
          .isEqualTo(1);
      scheduler.advance(Duration.ofMillis(1));
      await().atMost(WAIT).until(() -> ads.streams.size() == streams + 1);
    }
    assertThat(client.status().lastStreamError()).contains("UNAVAILABLE: go away");
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void aTransientErrorReachesWatchersAndANewStreamAsksForEveryWatchedResource(boolean delta)
      throws Exception {
    InProcessAds ads = server("resubscribe");
    XdsClient client = client(delta, ads);
    Recorder watcher = new Recorder();
    client.watch(TestTypes.APIS, "a", watcher);
    client.watch(TestTypes.APIS, "b", watcher);
    client.watch(TestTypes.TYPES, "t", watcher);
    client.start();
    await()
        .atMost(WAIT)
        .until(
            () ->
                subscribed(ads.last(), delta, TestTypes.APIS).size() == 2
                    && subscribed(ads.last(), delta, TestTypes.TYPES).size() == 1);
    ads.respond(TestTypes.APIS.typeUrl(), "7", TestTypes.api("a", "x"));
    await().atMost(WAIT).until(() -> watcher.events.contains("changed a=x"));

    ads.fail(Status.UNAVAILABLE.withDescription("restarting"));

    // The stream had answered, so the new one opens at once (a zero wait) on the same server.
    await()
        .atMost(WAIT)
        .until(
            () ->
                scheduler.pendingTasks() >= 1
                    && watcher.events.contains(
                        "error a: ADS stream to "
                            + "in-process:"
                            + names.get(ads)
                            + " closed: UNAVAILABLE: restarting"));
    scheduler.runDueTasks();
    await()
        .atMost(WAIT)
        .until(
            () ->
                ads.streams.size() == 2
                    && subscribed(ads.last(), delta, TestTypes.APIS).size() == 2
                    && subscribed(ads.last(), delta, TestTypes.TYPES).size() == 1);
    assertThat(subscribed(ads.last(), delta, TestTypes.APIS)).containsExactlyInAnyOrder("a", "b");
    assertThat(subscribed(ads.last(), delta, TestTypes.TYPES)).containsExactly("t");
    if (delta) {
      DeltaDiscoveryRequest first =
          ads.last().delta.stream()
              .filter(r -> r.getTypeUrl().equals(TestTypes.APIS.typeUrl()))
              .findFirst()
              .orElseThrow();
      assertThat(first.getInitialResourceVersionsMap()).containsExactly(Map.entry("a", "7"));
    } else {
      DiscoveryRequest first =
          ads.last().sotw.stream()
              .filter(r -> r.getTypeUrl().equals(TestTypes.APIS.typeUrl()))
              .findFirst()
              .orElseThrow();
      assertThat(first.getVersionInfo()).isEqualTo("7");
      assertThat(first.getResponseNonce()).as("a nonce belongs to its stream").isEmpty();
    }
    assertThat(random.draws.get()).as("an answered stream is reopened without a backoff").isZero();
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void anUnreachablePrimaryFallsBackToTheSecondServerAndReturnsOnceThePrimaryIsBack(boolean delta)
      throws Exception {
    String primaryName = "primary-" + UUID.randomUUID();
    InProcessAds secondary = server("secondary");
    String secondaryUri = "in-process:" + names.get(secondary);
    XdsClient client = client(delta, servers(primaryName, names.get(secondary)));
    Recorder watcher = new Recorder();
    client.watch(TestTypes.APIS, "a", watcher);
    client.start();
    await()
        .atMost(WAIT)
        .until(
            () -> scheduler.pendingTasks() == 1 && client.status().server().equals(secondaryUri));
    scheduler.advance(Duration.ofSeconds(1));
    await()
        .atMost(WAIT)
        .until(
            () ->
                secondary.streams.size() == 1
                    && subscribed(secondary.last(), delta, TestTypes.APIS).contains("a"));
    secondary.respond(TestTypes.APIS.typeUrl(), "1", TestTypes.api("a", "from-secondary"));
    await().atMost(WAIT).until(() -> watcher.events.contains("changed a=from-secondary"));

    InProcessAds primary = new InProcessAds(primaryName);
    closing.add(primary);
    channels.get("in-process:" + primaryName).resetConnectBackoff();

    await()
        .atMost(WAIT)
        .until(
            () ->
                primary.streams.size() == 1
                    && subscribed(primary.last(), delta, TestTypes.APIS).contains("a"));
    await().atMost(WAIT).until(() -> secondary.last().ended);
    assertThat(client.status().server()).isEqualTo("in-process:" + primaryName);
    primary.respond(TestTypes.APIS.typeUrl(), "2", TestTypes.api("a", "from-primary"));
    await().atMost(WAIT).until(() -> watcher.events.contains("changed a=from-primary"));
  }

  @ParameterizedTest(name = "delta={0}")
  @ValueSource(booleans = {false, true})
  void aResourceNotSentWithinTheTimeoutDoesNotExistButOneThatArrivedDoes(boolean delta)
      throws Exception {
    InProcessAds ads = server("timer");
    XdsClient client = client(delta, ads);
    Recorder watcher = new Recorder();
    client.watch(TestTypes.APIS, "sent", watcher);
    client.watch(TestTypes.APIS, "never", watcher);
    client.start();
    await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 2);
    ads.respond(TestTypes.APIS.typeUrl(), "1", TestTypes.api("sent", "x"));
    await()
        .atMost(WAIT)
        .until(() -> watcher.events.contains("changed sent=x") && scheduler.pendingTasks() == 1);

    scheduler.advance(RESOURCE_TIMEOUT.minusMillis(1));
    assertThat(watcher.events).containsExactly("changed sent=x");
    scheduler.advance(Duration.ofMillis(1));

    await().atMost(WAIT).until(() -> watcher.events.contains("does not exist: never"));
    assertThat(watcher.events).containsExactly("changed sent=x", "does not exist: never");
    scheduler.advance(RESOURCE_TIMEOUT.multipliedBy(2));
    assertThat(watcher.events).containsExactly("changed sent=x", "does not exist: never");
  }

  // ---- plumbing ----

  private InProcessAds server(String name) throws Exception {
    String unique = name + "-" + UUID.randomUUID();
    InProcessAds ads = new InProcessAds(unique);
    closing.add(ads);
    names.put(ads, unique);
    return ads;
  }

  private final Map<InProcessAds, String> names = new ConcurrentHashMap<>();

  private XdsClient client(boolean delta, InProcessAds ads) {
    return client(
        delta,
        List.of(
            new Bootstrap.ServerInfo(
                "in-process:" + names.get(ads), Bootstrap.ChannelCredentials.INSECURE, List.of())));
  }

  private List<Bootstrap.ServerInfo> servers(String... names) {
    List<Bootstrap.ServerInfo> out = new ArrayList<>();
    for (String n : names) {
      out.add(
          new Bootstrap.ServerInfo(
              "in-process:" + n, Bootstrap.ChannelCredentials.INSECURE, List.of()));
    }
    return out;
  }

  private XdsClient client(boolean delta, List<Bootstrap.ServerInfo> servers) {
    Bootstrap plain = Bootstrap.forServer("unused", "machinery-test");
    XdsClient client =
        XdsClient.builder(new Bootstrap(plain.node(), servers, Map.of(), "", "%s"))
            .scheduler(scheduler)
            .random(random)
            .resourceTimeout(RESOURCE_TIMEOUT)
            .reconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(3))
            .transportFactory(
                server -> {
                  ManagedChannel ch =
                      InProcessChannelBuilder.forName(
                              server.serverUri().substring("in-process:".length()))
                          .directExecutor()
                          .build();
                  channels.put(server.serverUri(), ch);
                  return ch;
                })
            .delta(delta)
            .build();
    closing.add(client);
    return client;
  }

  private static List<?> requests(InProcessAds ads, boolean delta) {
    if (ads.streams.isEmpty()) {
      return List.of();
    }
    return delta ? ads.last().delta : ads.last().sotw;
  }

  /** The names the client asks for on {@code stream}, as its requests so far add up. */
  private static List<String> subscribed(
      InProcessAds.Stream stream, boolean delta, XdsResourceType<?> type) {
    Predicate<String> ofType = url -> url.equals(type.typeUrl());
    if (!delta) {
      List<String> last = List.of();
      for (DiscoveryRequest r : stream.sotw) {
        if (ofType.test(r.getTypeUrl())) {
          last = r.getResourceNamesList();
        }
      }
      return last;
    }
    List<String> names = new ArrayList<>();
    for (DeltaDiscoveryRequest r : stream.delta) {
      if (ofType.test(r.getTypeUrl())) {
        names.addAll(r.getResourceNamesSubscribeList());
        names.removeAll(r.getResourceNamesUnsubscribeList());
      }
    }
    return names;
  }

  /** Records what a watcher is told, in order. */
  private static final class Recorder implements ResourceWatcher<String> {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onChanged(String name, String value) {
      events.add("changed " + name + "=" + value);
    }

    @Override
    public void onDoesNotExist(String name) {
      events.add("does not exist: " + name);
    }

    @Override
    public void onTransientError(String name, String error) {
      events.add("error " + name + ": " + error);
    }
  }

  /** A fixed draw that counts how often it is asked. */
  private static final class Draws implements RandomSource {
    final AtomicInteger draws = new AtomicInteger();
    private final double value;

    Draws(double value) {
      this.value = value;
    }

    @Override
    public int nextInt(int bound) {
      draws.incrementAndGet();
      return (int) (value * bound);
    }

    @Override
    public double nextDouble() {
      draws.incrementAndGet();
      return value;
    }

    @Override
    public long nextLong() {
      draws.incrementAndGet();
      return (long) (value * Long.MAX_VALUE);
    }
  }
}
