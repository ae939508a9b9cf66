/**
 * Configuration from an xDS management server (Istio, or any Envoy v3 control plane): {@link
 * dev.weft.mesh.xds.XdsConfigSource}.
 *
 * <p>Layout, after grpc-java's xds client: the {@code internal.client} package (not API) is the ADS
 * stream machinery (type URLs, versions, nonces, subscriptions, ACK/NACK, timers, reconnection, the
 * on-disk copy) and knows nothing of what a cluster is; this package parses each resource type into
 * an immutable value (collecting invalid resources by name, with an error naming the field), and
 * translates a complete, consistent set of values into a {@link
 * dev.weft.mesh.api.config.MeshConfig}; the {@code bootstrap} package reads gRPC's bootstrap JSON.
 * See {@code docs/xds.md}.
 */
package dev.weft.mesh.xds;
