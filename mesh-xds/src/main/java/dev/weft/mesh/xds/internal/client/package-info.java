/**
 * Internal, not API: the xDS client machinery of mesh-xds. Users must not depend on anything here;
 * it changes without notice (an ArchUnit rule keeps other modules out). The supported entry point
 * is {@link dev.weft.mesh.xds.XdsConfigSource}.
 *
 * <p>An ADS client for the Envoy v3 API, independent of what the resources mean, in parts after
 * grpc-java's xDS client: {@link dev.weft.mesh.xds.internal.client.XdsClient} ties them together on
 * one work thread; {@code SubscriptionStore} holds watchers, values, does-not-exist timers and the
 * values seeded from the on-disk copy; {@code ControlPlaneConnection} keeps a stream open to the
 * server list (backoff, fallback and return to the primary, gRFC A71) over channels from an {@link
 * dev.weft.mesh.xds.internal.client.XdsTransportFactory}; {@code AdsStream} is one stream in one of
 * its two forms, {@code SotwAdsStream} and {@code DeltaAdsStream}; {@code ResponseProcessor}
 * accepts or rejects a response as a whole; {@code NodeConverter} builds the node identity.
 * Resource types plug in through {@link dev.weft.mesh.xds.internal.client.XdsResourceType} and are
 * told apart by identity; the parsers that know what a listener or a cluster means live in {@code
 * dev.weft.mesh.xds}. An {@link dev.weft.mesh.xds.internal.client.UpdateGate} lets the layer above
 * refuse a response before anything of it is committed.
 */
package dev.weft.mesh.xds.internal.client;
