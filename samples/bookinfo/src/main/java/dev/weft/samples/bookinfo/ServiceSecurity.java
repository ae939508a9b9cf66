package dev.weft.samples.bookinfo;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.tls.WorkloadTls;
import java.net.InetSocketAddress;

/**
 * The security side of one BookInfo service: the address of its mutual-TLS port, the workload TLS
 * it serves there with (its own certificate; clients must present one from the same CA), and the
 * enforcer of its authorization policies, applied on both of its ports.
 */
record ServiceSecurity(
    InetSocketAddress mtlsAddress, WorkloadTls tls, AuthorizationEnforcer enforcer) {
  ServiceSecurity {
    requireNonNull(mtlsAddress, "mtlsAddress");
    requireNonNull(tls, "tls");
    requireNonNull(enforcer, "enforcer");
  }
}
