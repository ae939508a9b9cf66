package dev.weft.mesh.console;

import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.security.AuditEvent;
import dev.weft.mesh.security.AuditSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * An {@link AuditSink} that keeps the latest denials in a bounded ring for the console, and counts
 * the allowed requests. Add it to an enforcer next to the audit log:
 *
 * <pre>{@code
 * RecentDenials denials = RecentDenials.create();
 * AuthorizationEnforcer enforcer = AuthorizationEnforcer.builder()
 *     .auditSink(AuditSink.logger().andThen(denials))
 *     .build();
 * MeshConsole console = MeshConsole.builder(mesh).denials(denials).build();
 * }</pre>
 *
 * <p>Recording takes no lock: an allowed request costs one counter increment; a denial, one small
 * record and two atomic writes. Thread-safe.
 */
public final class RecentDenials implements AuditSink, DenialSource {
  /** How many denials {@link #create()} keeps. */
  public static final int DEFAULT_CAPACITY = 100;

  private final String service;
  private final AtomicReferenceArray<AuditEvent> ring;
  private final AtomicLong written = new AtomicLong();
  private final LongAdder allowed = new LongAdder();

  private RecentDenials(String service, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.service = service;
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  /** Keeps the latest {@value #DEFAULT_CAPACITY} denials. */
  public static RecentDenials create() {
    return new RecentDenials("", DEFAULT_CAPACITY);
  }

  /**
   * Keeps the latest {@code capacity} denials of the enforcer of {@code service}, which the console
   * shows beside each.
   */
  public static RecentDenials create(String service, int capacity) {
    return new RecentDenials(java.util.Objects.requireNonNull(service, "service"), capacity);
  }

  @Override
  public void record(AuditEvent event) {
    if (event.decision().allowed()) {
      allowed.increment();
      return;
    }
    long n = written.getAndIncrement();
    ring.set((int) (n % ring.length()), event);
  }

  /** Requests allowed since this sink was made. */
  public long allowedCount() {
    return allowed.sum();
  }

  /** Requests denied since this sink was made (more than it keeps once it wraps). */
  public long deniedCount() {
    return written.get();
  }

  @Override
  public List<Denial> recentDenials() {
    long n = written.get();
    int kept = (int) Math.min(n, ring.length());
    List<Denial> out = new ArrayList<>(kept);
    for (long i = n - 1; i >= n - kept; i--) {
      AuditEvent e = ring.get((int) (i % ring.length()));
      if (e != null) {
        out.add(of(e));
      }
    }
    return out;
  }

  private Denial of(AuditEvent e) {
    String path = e.path();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    return new Denial(
        e.time(),
        service,
        e.caller().map(SpiffeId::toString).orElse(""),
        e.method(),
        path,
        e.decision().policy(),
        e.decision().rule(),
        e.decision().basis().name(),
        e.decision().reason());
  }
}
