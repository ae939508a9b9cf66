/**
 * Certificates for tests and local development: {@link dev.weft.mesh.testing.certs.DevCertificates}
 * mints a CA and SPIFFE workload certificates in memory or on disk, and {@link
 * dev.weft.mesh.testing.certs.DevCerts} is the same as a command ({@code java -cp
 * mesh-testing.jar:bcpkix.jar:bcprov.jar:bcutil.jar dev.weft.mesh.testing.certs.DevCerts --help}).
 * Never for production identities.
 */
package dev.weft.mesh.testing.certs;
