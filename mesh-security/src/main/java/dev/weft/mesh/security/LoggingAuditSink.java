package dev.weft.mesh.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes decisions to the {@code weft.audit} logger: allowed at INFO, denied at WARN. */
enum LoggingAuditSink implements AuditSink {
  INSTANCE;

  private static final Logger log = LoggerFactory.getLogger(LOGGER_NAME);

  @Override
  public void record(AuditEvent event) {
    if (event.decision().allowed()) {
      if (log.isInfoEnabled()) {
        log.info(event.toLogLine());
      }
    } else if (log.isWarnEnabled()) {
      log.warn(event.toLogLine());
    }
  }
}
