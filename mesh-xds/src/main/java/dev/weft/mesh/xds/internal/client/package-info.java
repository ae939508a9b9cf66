/**
 * A state-of-the-world ADS client for the Envoy v3 API ({@link dev.weft.mesh.xds.internal.client.XdsClient}),
 * independent of what the resources mean: resource types plug in through
 * {@link dev.weft.mesh.xds.internal.client.XdsResourceType}, watchers are told about values,
 * deletions and transient errors apart, and an {@link dev.weft.mesh.xds.internal.client.UpdateGate}
 * lets the layer above refuse a response before anything of it is committed.
 */
package dev.weft.mesh.xds.internal.client;
