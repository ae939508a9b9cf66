package dev.weft.mesh.grpc;

import static java.util.Objects.requireNonNull;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MeshGrpc} registered as the process's default, made by {@link
 * MeshGrpc#registerDefault()}: while it is open, plain grpc-java channels built for {@code
 * mesh:///service} targets ({@code ManagedChannelBuilder.forTarget("mesh:///ratings")}, {@code
 * Grpc.newChannelBuilder("mesh:///ratings", credentials)}) run their calls through that client.
 *
 * <p>Registrations nest: the default is the client of the most recent registration that is still
 * open. Closing a registration (or closing its client) makes the previous one's client the default
 * again; when none is left, {@code mesh:} channels fail their calls with {@code UNAVAILABLE} saying
 * that no mesh is registered, until one is. Channels need not be rebuilt when the default changes:
 * each call uses the default in force when it starts.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class MeshGrpcRegistration implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MeshGrpcRegistration.class);

  private static final Object lock = new Object();

  // Guarded by lock; the last one open is the default.
  private static final List<MeshGrpcRegistration> open = new ArrayList<>();

  /** The default client, or null; written under lock, read by every call of a mesh: channel. */
  private static volatile MeshGrpc current;

  /**
   * Told (outside the lock) whenever the default changes: the resolvers of mesh: channels. Held
   * weakly, so that a channel its application forgot to shut down can still be collected (and
   * reported by grpc-java's orphan check).
   */
  private static final List<WeakReference<Runnable>> watchers = new CopyOnWriteArrayList<>();

  private final MeshGrpc grpc;

  // Guarded by lock.
  private boolean closed;

  private MeshGrpcRegistration(MeshGrpc grpc) {
    this.grpc = grpc;
  }

  static MeshGrpcRegistration register(MeshGrpc grpc) {
    requireNonNull(grpc, "grpc");
    MeshGrpcRegistration r = new MeshGrpcRegistration(grpc);
    MeshGrpc previous;
    synchronized (lock) {
      if (grpc.isClosed()) {
        throw new IllegalStateException(
            "cannot register the gRPC client of mesh '"
                + grpc.mesh().name()
                + "' as the default: it is closed");
      }
      previous = current;
      open.add(r);
      current = grpc;
    }
    if (previous != null && previous != grpc) {
      log.info(
          "mesh: targets now use the gRPC client of mesh '{}' instead of mesh '{}' (which is the"
              + " default again once this registration closes)",
          grpc.mesh().name(),
          previous.mesh().name());
    } else {
      log.debug("mesh: targets use the gRPC client of mesh '{}'", grpc.mesh().name());
    }
    notifyWatchers();
    return r;
  }

  /** The client {@code mesh:} channels use now, or null when none is registered. */
  static MeshGrpc current() {
    return current;
  }

  /** Ends every registration of {@code grpc}: called when the client closes. */
  static void unregisterAll(MeshGrpc grpc) {
    boolean changed = false;
    synchronized (lock) {
      for (MeshGrpcRegistration r : open) {
        if (r.grpc == grpc) {
          r.closed = true;
          changed = true;
        }
      }
      if (changed) {
        open.removeIf(r -> r.grpc == grpc);
        current = open.isEmpty() ? null : open.get(open.size() - 1).grpc;
      }
    }
    if (changed) {
      notifyWatchers();
    }
  }

  static void addWatcher(Runnable watcher) {
    watchers.add(new WeakReference<>(watcher));
  }

  static void removeWatcher(Runnable watcher) {
    watchers.removeIf(ref -> ref.get() == null || ref.get() == watcher);
  }

  /** How many resolvers watch the default: for tests that check that channels leave nothing. */
  static int watcherCount() {
    watchers.removeIf(ref -> ref.get() == null);
    return watchers.size();
  }

  private static void notifyWatchers() {
    boolean collected = false;
    for (WeakReference<Runnable> ref : watchers) {
      Runnable w = ref.get();
      if (w == null) {
        collected = true;
        continue;
      }
      try {
        w.run();
      } catch (RuntimeException e) {
        log.warn("a mesh: channel could not be told that the default gRPC client changed", e);
      }
    }
    if (collected) {
      watchers.removeIf(ref -> ref.get() == null);
    }
  }

  /** The registered client. */
  public MeshGrpc grpc() {
    return grpc;
  }

  /** Whether this registration is still open (neither it nor its client was closed). */
  public boolean isOpen() {
    synchronized (lock) {
      return !closed;
    }
  }

  /**
   * Ends this registration: the client of the previous registration still open, if any, becomes the
   * default again. Does not close the client. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      open.remove(this);
      current = open.isEmpty() ? null : open.get(open.size() - 1).grpc;
    }
    notifyWatchers();
  }

  @Override
  public String toString() {
    return "MeshGrpcRegistration{mesh=" + grpc.mesh().name() + ", open=" + isOpen() + "}";
  }
}
