package dev.weft.samples.bookinfo;

import dev.weft.mesh.security.AuditEvent;
import dev.weft.mesh.security.AuditSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The authorization decisions of all BookInfo services: every denial is kept (the latest {@value
 * #KEPT}) and written to the {@code weft.audit} logger; allowed calls are only counted, so that a
 * run of a thousand calls does not print a thousand lines.
 */
final class AuditTrail {
  static final int KEPT = 1000;

  /** A decision of one service. */
  record Entry(String service, AuditEvent event) {}

  private final ConcurrentLinkedDeque<Entry> denials = new ConcurrentLinkedDeque<>();
  private final AtomicInteger size = new AtomicInteger();
  private final LongAdder allowed = new LongAdder();
  private final LongAdder denied = new LongAdder();
  private volatile Consumer<Entry> onDenial = entry -> {};

  /** Also hands every denial to {@code listener} (on the request's thread; keep it quick). */
  void onDenial(Consumer<Entry> listener) {
    this.onDenial = listener;
  }

  /** The sink for the enforcer of {@code service}. */
  AuditSink sink(String service) {
    return event -> {
      if (event.decision().allowed()) {
        allowed.increment();
        return;
      }
      denied.increment();
      AuditSink.logger().record(event);
      Entry entry = new Entry(service, event);
      denials.addLast(entry);
      onDenial.accept(entry);
      if (size.incrementAndGet() > KEPT && denials.pollFirst() != null) {
        size.decrementAndGet();
      }
    };
  }

  long allowed() {
    return allowed.sum();
  }

  long denied() {
    return denied.sum();
  }

  /** The latest denials, oldest first. */
  List<Entry> denials() {
    return new ArrayList<>(denials);
  }
}
