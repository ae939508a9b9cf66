package dev.weft.chaos;

import dev.weft.mesh.api.MeshException;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A fixed-rate, open-loop load: one sender thread starts calls at their intended times, cycling
 * gRPC unary, gRPC server-streaming and HTTP GET, and never waits for answers; each call is timed
 * from its intended send time, so a stalled sender or a queue does not hide latency (coordinated
 * omission). A call belongs to the phase in force at its intended time.
 */
final class LoadDriver implements AutoCloseable {
  static final Duration DEADLINE = Duration.ofSeconds(5);

  /** Indexes in {@link PhaseStats#PATHS}. */
  static final int UNARY = 0;

  static final int STREAM = 1;
  static final int HTTP = 2;

  private final SimpleServiceGrpc.SimpleServiceStub grpc;
  private final Function<HttpRequest, CompletableFuture<HttpResponse<Void>>> http;
  private final HttpRequest get;
  private final SimpleRequest request = SimpleRequest.newBuilder().setRequestMessage("x").build();
  private final Thread sender;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile int ratePerSecond;
  private volatile PhaseStats phase;
  private volatile boolean stopped;

  LoadDriver(
      Channel grpcChannel,
      Function<HttpRequest, CompletableFuture<HttpResponse<Void>>> http,
      URI url,
      int ratePerSecond) {
    this.grpc = SimpleServiceGrpc.newStub(grpcChannel);
    this.http = http;
    this.get = HttpRequest.newBuilder(url).timeout(DEADLINE).GET().build();
    this.ratePerSecond = ratePerSecond;
    this.sender = new Thread(this::run, "chaos-load-sender");
    sender.setDaemon(true);
  }

  void start(PhaseStats first) {
    phase = first;
    sender.start();
  }

  void phase(PhaseStats next) {
    phase = next;
  }

  void rate(int perSecond) {
    ratePerSecond = perSecond;
  }

  int rate() {
    return ratePerSecond;
  }

  int inFlight() {
    return inFlight.get();
  }

  private void run() {
    long intended = System.nanoTime();
    long i = 0;
    while (!stopped) {
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      PhaseStats p = phase;
      p.sent();
      inFlight.incrementAndGet();
      switch ((int) (i++ % 3)) {
        case 0 -> unary(p, intended);
        case 1 -> streaming(p, intended);
        default -> get(p, intended);
      }
      intended += 1_000_000_000L / ratePerSecond;
    }
  }

  private void unary(PhaseStats p, long intended) {
    try {
      grpc.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .unaryRpc(
              request,
              new StreamObserver<>() {
                @Override
                public void onNext(SimpleResponse value) {}

                @Override
                public void onError(Throwable t) {
                  failGrpc(p, UNARY, intended, "unary", t);
                }

                @Override
                public void onCompleted() {
                  ok(p, UNARY, intended);
                }
              });
    } catch (RuntimeException e) {
      failGrpc(p, UNARY, intended, "unary", e);
    }
  }

  private void streaming(PhaseStats p, long intended) {
    try {
      grpc.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .serverStreamingRpc(
              request,
              new StreamObserver<>() {
                int messages;

                @Override
                public void onNext(SimpleResponse value) {
                  messages++;
                }

                @Override
                public void onError(Throwable t) {
                  failGrpc(p, STREAM, intended, "stream", t);
                }

                @Override
                public void onCompleted() {
                  if (messages == Backends.STREAM_MESSAGES) {
                    ok(p, STREAM, intended);
                  } else {
                    fail(p, STREAM, intended, "stream " + messages + " messages", "short stream");
                  }
                }
              });
    } catch (RuntimeException e) {
      failGrpc(p, STREAM, intended, "stream", e);
    }
  }

  private void get(PhaseStats p, long intended) {
    CompletableFuture<HttpResponse<Void>> f;
    try {
      f = http.apply(get);
    } catch (RuntimeException e) {
      failHttp(p, intended, e);
      return;
    }
    f.whenComplete(
        (r, e) -> {
          if (e != null) {
            failHttp(p, intended, e);
          } else if (r.statusCode() != 200) {
            fail(p, HTTP, intended, "http " + r.statusCode(), "status " + r.statusCode());
          } else {
            ok(p, HTTP, intended);
          }
        });
  }

  private void ok(PhaseStats p, int path, long intended) {
    p.succeeded(path, intended, System.nanoTime() - intended);
    inFlight.decrementAndGet();
  }

  private void fail(PhaseStats p, int path, long intended, String reason, String sample) {
    p.failed(path, intended, System.nanoTime() - intended, reason, sample);
    inFlight.decrementAndGet();
  }

  private void failGrpc(PhaseStats p, int path, long intended, String kind, Throwable t) {
    Status s = Status.fromThrowable(t);
    fail(p, path, intended, "grpc " + kind + " " + s.getCode(), String.valueOf(s.getDescription()));
  }

  private void failHttp(PhaseStats p, long intended, Throwable t) {
    int path = HTTP;
    Throwable e = t;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    String reason =
        e instanceof MeshException m
            ? "http mesh " + m.reason()
            : "http " + e.getClass().getSimpleName();
    fail(p, path, intended, reason, String.valueOf(e.getMessage()));
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    sender.join(5000);
  }
}
