package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

/**
 * Receives every authorization decision. Called on the request path, on the request's thread: must
 * be quick, must not block for long, and should not throw (an enforcer catches and logs what a sink
 * throws, and the request proceeds as decided).
 */
@FunctionalInterface
public interface AuditSink {
  /** The name of the dedicated audit logger. */
  String LOGGER_NAME = "weft.audit";

  /** Records one decision. */
  void record(AuditEvent event);

  /**
   * The default sink: the SLF4J logger {@value #LOGGER_NAME}, one line per decision ({@link
   * AuditEvent#toLogLine()}), allowed requests at INFO and denied ones at WARN.
   */
  static AuditSink logger() {
    return LoggingAuditSink.INSTANCE;
  }

  /** A sink that records to this one, then to {@code next}. */
  default AuditSink andThen(AuditSink next) {
    requireNonNull(next, "next");
    return event -> {
      record(event);
      next.record(event);
    };
  }
}
