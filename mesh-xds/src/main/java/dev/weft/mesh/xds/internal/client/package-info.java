/**
 * A state-of-the-world ADS client for the Envoy v3 API ({@link dev.weft.mesh.xds.internal.client.XdsClient}),
 * independent of what the resources mean: resource types plug in through
 * {@link dev.weft.mesh.xds.internal.client.XdsResourceType}, watchers are told about values,
 * deletions and transient errors apart, and an {@link dev.weft.mesh.xds.internal.client.UpdateGate}
 * lets the layer above refuse a response before anything of it is committed.
 *
 * <p><b>Internal</b>: not API. No compatibility is promised; other modules and applications must
 * not use it (an architecture test enforces this for Weft's own modules).
 */
package dev.weft.mesh.xds.internal.client;
