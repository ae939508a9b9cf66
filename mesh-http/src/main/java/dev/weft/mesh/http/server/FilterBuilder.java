package dev.weft.mesh.http.server;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.security.AuthorizationEnforcer;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;

/** The settings both server filters take; each filter's public builder extends it. */
abstract class FilterBuilder<B extends FilterBuilder<B>> {
  final String service;
  OpenTelemetry openTelemetry = OpenTelemetry.noop();
  MeterRegistry registry;
  AuthorizationEnforcer enforcer;

  FilterBuilder(String service) {
    this.service = requireNonNull(service, "service");
  }

  abstract B self();

  /**
   * Enforces authorization on every request, on the caller's identity from its client certificate
   * (the server must require one for mutual TLS; a plaintext caller has none). A denied request
   * gets {@code 403} with the reason. Default: no authorization.
   */
  public B authorization(AuthorizationEnforcer enforcer) {
    this.enforcer = requireNonNull(enforcer, "enforcer");
    return self();
  }

  /** Where server spans go and how context is extracted; default: no tracing. */
  public B openTelemetry(OpenTelemetry openTelemetry) {
    this.openTelemetry = requireNonNull(openTelemetry, "openTelemetry");
    return self();
  }

  /** Where {@code weft.server.requests} goes; default: no metrics. */
  public B meterRegistry(MeterRegistry registry) {
    this.registry = requireNonNull(registry, "registry");
    return self();
  }

  ServerTelemetry telemetry() {
    return new ServerTelemetry(openTelemetry, registry, service);
  }
}
