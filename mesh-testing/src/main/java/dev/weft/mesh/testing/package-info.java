/**
 * Weft's test kit, for the tests of applications and libraries that use Weft (a test-scope
 * dependency, like OpenTelemetry's {@code opentelemetry-sdk-testing}): time and delayed work driven
 * by the test ({@link dev.weft.mesh.testing.FakeTicker}, {@link
 * dev.weft.mesh.testing.FakeScheduler}). Beside it: {@code certs} (a development certificate
 * authority and the {@code DevCerts} command), {@code config} (generators of valid configurations
 * for property tests, with jqwik) and {@code xds} (a java-control-plane server on loopback and
 * resource builders).
 */
package dev.weft.mesh.testing;
