/**
 * xDS fixtures: Envoy's java-control-plane serving snapshots on loopback ({@link
 * dev.weft.mesh.testing.xds.TestControlPlane}, which records every request so a test can read ACKs
 * and NACKs) and builders of Envoy v3 resources. Needs {@code io.envoyproxy.controlplane:server}
 * and {@code io.grpc:grpc-netty} on the test class path (optional dependencies of this module).
 */
package dev.weft.mesh.testing.xds;
