package dev.weft.mesh.core;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.core.spi.AttemptAdapter;
import dev.weft.mesh.core.spi.CallHandle;
import dev.weft.mesh.core.spi.CallListener;
import dev.weft.mesh.core.spi.CallRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls made before a mesh's first configuration, waiting for it without holding their callers'
 * threads: each waits in arrival order until the configuration arrives (then it starts, on the
 * scheduler, with the time it waited taken off its deadline), its wait ends (then it fails with
 * {@code NOT_READY}), it is cancelled, or the mesh closes.
 *
 * <p>Only calls that find no configuration come here: once {@link #open} has run, the call path
 * never touches this class. Threading: the queue is guarded by this object's monitor, each waiting
 * call's state by its own; listeners and call starts run outside both.
 */
final class StartupWaiters {
  private static final Logger log = LoggerFactory.getLogger(StartupWaiters.class);

  /** Starts a released call on the configuration now in force. */
  interface Starter {
    <R> CallHandle start(
        CallRequest request, AttemptAdapter<R> adapter, CallListener<R> listener, long startNanos);
  }

  /** Says why a waiting call failed once its wait ran out. */
  interface TimeoutMessage {
    String of(long waitedNanos);
  }

  private final Engine engine;
  private final long startupWaitNanos;
  private final Starter starter;
  private final TimeoutMessage timeoutMessage;

  // Guarded by this.
  private final LinkedHashSet<Waiting<?>> queue = new LinkedHashSet<>();
  private boolean open;
  private String closedMessage;

  StartupWaiters(
      Engine engine, long startupWaitNanos, Starter starter, TimeoutMessage timeoutMessage) {
    this.engine = engine;
    this.startupWaitNanos = startupWaitNanos;
    this.starter = starter;
    this.timeoutMessage = timeoutMessage;
  }

  /**
   * Makes {@code request} wait for the first configuration, or starts it at once when that has
   * arrived since the caller looked.
   */
  <R> CallHandle await(CallRequest request, AttemptAdapter<R> adapter, CallListener<R> listener) {
    long now = engine.ticker.nanoTime();
    long timeout = request.timeoutNanos();
    long waitNanos = timeout == Long.MAX_VALUE ? startupWaitNanos : Math.max(0, timeout);
    Waiting<R> w = new Waiting<>(request, adapter, listener, now, waitNanos);
    String refused;
    boolean queued = false;
    synchronized (this) {
      refused = closedMessage;
      if (refused == null && !open) {
        queue.add(w);
        queued = true;
      }
    }
    if (refused != null) {
      listener.onFailure(new MeshException(MeshException.Reason.NOT_READY, refused));
      return NOOP;
    }
    if (queued) {
      w.arm();
      return w;
    }
    return starter.start(request, adapter, listener, now);
  }

  private void remove(Waiting<?> w) {
    synchronized (this) {
      queue.remove(w);
    }
  }

  /**
   * The first configuration is in force: starts the waiting calls, in order, on the scheduler
   * (never on the thread that applied the configuration, which may hold the control lock).
   */
  void open() {
    boolean any;
    synchronized (this) {
      if (open) {
        return;
      }
      open = true;
      any = !queue.isEmpty();
    }
    if (any) {
      engine.scheduler.schedule(this::drain, 0);
    }
  }

  private void drain() {
    while (true) {
      Waiting<?> w;
      synchronized (this) {
        if (queue.isEmpty()) {
          return;
        }
        w = queue.iterator().next();
        queue.remove(w);
      }
      try {
        w.release();
      } catch (RuntimeException e) {
        log.warn("a call that waited for the first configuration failed to start", e);
      }
    }
  }

  /** The mesh is closing: fails every call still waiting with {@code message}, in order. */
  void close(String message) {
    List<Waiting<?>> failed;
    synchronized (this) {
      closedMessage = message;
      failed = new ArrayList<>(queue);
      queue.clear();
    }
    for (Waiting<?> w : failed) {
      w.fail(new MeshException(MeshException.Reason.NOT_READY, message));
    }
  }

  /** {@code nanos} for a message: {@code 250 ms}, {@code 10 s}, {@code 1.5 s}. */
  static String describe(long nanos) {
    long millis = nanos / 1_000_000;
    if (millis < 1000) {
      return millis + " ms";
    }
    return millis % 1000 == 0
        ? millis / 1000 + " s"
        : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /** How many calls wait now. */
  synchronized int waiting() {
    return queue.size();
  }

  private static final CallHandle NOOP = () -> {};

  private enum State {
    WAITING,
    STARTED,
    DONE
  }

  /** One waiting call; its handle until it starts, then a forwarder to the started call. */
  private final class Waiting<R> implements CallHandle {
    private final CallRequest request;
    private final AttemptAdapter<R> adapter;
    private final CallListener<R> listener;
    private final long startNanos;
    private final long waitNanos;

    // Guarded by this.
    private State state = State.WAITING;
    private Scheduler.Cancellable timer;
    private CallHandle started;
    private boolean cancelWhenStarted;

    Waiting(
        CallRequest request,
        AttemptAdapter<R> adapter,
        CallListener<R> listener,
        long startNanos,
        long waitNanos) {
      this.request = request;
      this.adapter = adapter;
      this.listener = listener;
      this.startNanos = startNanos;
      this.waitNanos = waitNanos;
    }

    /** Sets the timer that ends the wait. */
    void arm() {
      Scheduler.Cancellable t = engine.scheduler.schedule(this::expire, waitNanos);
      boolean cancel;
      synchronized (this) {
        cancel = state != State.WAITING;
        if (!cancel) {
          timer = t;
        }
      }
      if (cancel) {
        t.cancel();
      }
    }

    /** The configuration arrived: starts the call with what is left of its deadline. */
    void release() {
      Scheduler.Cancellable t;
      synchronized (this) {
        if (state != State.WAITING) {
          return;
        }
        state = State.STARTED;
        t = timer;
        timer = null;
      }
      if (t != null) {
        t.cancel();
      }
      CallHandle h = starter.start(request, adapter, listener, startNanos);
      boolean cancel;
      synchronized (this) {
        started = h;
        cancel = cancelWhenStarted;
      }
      if (cancel) {
        h.cancel();
      }
    }

    private void expire() {
      if (end()) {
        remove(this);
        listener.onFailure(
            new MeshException(
                MeshException.Reason.NOT_READY,
                timeoutMessage.of(engine.ticker.nanoTime() - startNanos)));
      }
    }

    void fail(MeshException failure) {
      if (end()) {
        listener.onFailure(failure);
      }
    }

    /** Ends the wait without starting; false when it already ended or started. */
    private boolean end() {
      Scheduler.Cancellable t;
      synchronized (this) {
        if (state != State.WAITING) {
          return false;
        }
        state = State.DONE;
        t = timer;
        timer = null;
      }
      if (t != null) {
        t.cancel();
      }
      return true;
    }

    @Override
    public void cancel() {
      CallHandle h = null;
      synchronized (this) {
        if (state == State.STARTED) {
          h = started;
          if (h == null) {
            cancelWhenStarted = true;
            return;
          }
        }
      }
      if (h != null) {
        h.cancel();
        return;
      }
      if (end()) {
        remove(this);
        listener.onFailure(
            new MeshException(
                MeshException.Reason.CANCELLED,
                "the caller cancelled the call to '"
                    + request.service()
                    + "' while it waited for the mesh's first configuration"));
      }
    }
  }
}
