package dev.weft.mesh.grpc;

import static dev.weft.mesh.grpc.Backend.request;
import static dev.weft.mesh.grpc.Backend.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.RetryBudget;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many client streams at once, hedged, with replies after random delays and some callers
 * cancelling: every call ends exactly once with the right answer or CANCELLED, and no server call
 * is left open.
 */
class ConcurrentHedgingTest extends MeshGrpcTestSupport {
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger served = new AtomicInteger();

  @AfterEach
  void stopTimers() throws InterruptedException {
    timers.shutdownNow();
    assertThat(timers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * Joins a client stream's messages and answers after 10 to 30 ms, so that every call outlives the
   * 5 ms hedging delay.
   */
  private SimpleServiceGrpc.SimpleServiceImplBase delayedJoin(String name) {
    return new SimpleServiceGrpc.SimpleServiceImplBase() {
      @Override
      public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
        open.incrementAndGet();
        served.incrementAndGet();
        Context ctx = Context.current();
        ctx.addListener(c -> open.decrementAndGet(), Runnable::run);
        StringBuilder all = new StringBuilder();
        return new StreamObserver<>() {
          @Override
          public synchronized void onNext(SimpleRequest value) {
            all.append(value.getRequestMessage());
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public synchronized void onCompleted() {
            String joined = all.toString();
            timers.schedule(
                () -> {
                  if (!ctx.isCancelled()) {
                    out.onNext(response(name + ":" + joined));
                    out.onCompleted();
                  }
                },
                10 + ThreadLocalRandom.current().nextInt(20),
                TimeUnit.MILLISECONDS);
          }
        };
      }
    };
  }

  @Test
  void hedgedStreamsEndOnceWithTheRightAnswer() throws Exception {
    Backend a = serving("a", delayedJoin("a"));
    Backend b = serving("b", delayedJoin("b"));
    Backend c = serving("c", delayedJoin("c"));
    HedgingPolicy hedging = HedgingPolicy.fixed(3, Duration.ofMillis(5));
    start(
        config(
            "v1",
            route(Destination.of("c")).hedging(hedging).build(),
            cluster(
                "c",
                cb -> cb.retryBudget(new RetryBudget(200, 100, Duration.ofSeconds(10))),
                a,
                b,
                c)));
    SimpleServiceGrpc.SimpleServiceStub stub = async();

    int callers = 4;
    int perCaller = 100;
    List<CompletableFuture<String>> results = new ArrayList<>();
    List<Boolean> cancelled = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    Object resultsLock = new Object();
    for (int t = 0; t < callers; t++) {
      int caller = t;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < perCaller; i++) {
                  CompletableFuture<String> done = new CompletableFuture<>();
                  AtomicInteger ends = new AtomicInteger();
                  AtomicReference<ClientCallStreamObserver<SimpleRequest>> requestStream =
                      new AtomicReference<>();
                  StreamObserver<SimpleRequest> in =
                      stub.clientStreamingRpc(
                          new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
                            String answer;

                            @Override
                            public void beforeStart(ClientCallStreamObserver<SimpleRequest> rs) {
                              requestStream.set(rs);
                            }

                            @Override
                            public void onNext(SimpleResponse value) {
                              answer = value.getResponseMessage();
                            }

                            @Override
                            public void onError(Throwable e) {
                              if (ends.incrementAndGet() > 1) {
                                done.obtrudeException(new AssertionError("a call ended twice"));
                              }
                              done.completeExceptionally(e);
                            }

                            @Override
                            public void onCompleted() {
                              if (ends.incrementAndGet() > 1) {
                                done.obtrudeException(new AssertionError("a call ended twice"));
                              }
                              done.complete(answer);
                            }
                          });
                  String tag = caller + "-" + i + "-";
                  in.onNext(request(tag + "p"));
                  in.onNext(request("q"));
                  in.onCompleted();
                  boolean cancel = i % 10 == 7;
                  if (cancel) {
                    timers.schedule(
                        () -> requestStream.get().cancel("caller gave up", null),
                        ThreadLocalRandom.current().nextInt(10),
                        TimeUnit.MILLISECONDS);
                  }
                  synchronized (resultsLock) {
                    results.add(
                        done.thenApply(s -> s.substring(s.indexOf(':') + 1))
                            .thenApply(s -> s.equals(tag + "pq") ? "ok" : "wrong:" + s));
                    cancelled.add(cancel);
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join(30_000);
    }
    int ok = 0;
    for (int i = 0; i < results.size(); i++) {
      String outcome;
      try {
        outcome = results.get(i).get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        Status s = Status.fromThrowable(e.getCause());
        assertThat(cancelled.get(i)).as("call %d failed with %s", i, s).isTrue();
        assertThat(s.getCode()).isEqualTo(Status.Code.CANCELLED);
        continue;
      }
      assertThat(outcome).isEqualTo("ok");
      ok++;
    }
    assertThat(results).hasSize(callers * perCaller);
    assertThat(ok).isGreaterThanOrEqualTo(callers * perCaller * 9 / 10);
    assertThat(served.get())
        .as("attempts the servers saw, hedges included")
        .isGreaterThan(callers * perCaller);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(open.get()).as("server calls still open").isZero());
  }
}
