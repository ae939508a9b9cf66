/**
 * The engine's public face: {@link dev.weft.mesh.core.Mesh} (configuration in force, routing,
 * balancing and the attempt loop behind {@link dev.weft.mesh.core.Mesh#call}), {@link
 * dev.weft.mesh.core.StaticConfigSource} for configurations given in code, {@link
 * dev.weft.mesh.core.LoadBalancerRegistry} for the available policies, and {@link
 * dev.weft.mesh.core.RouteDecision} for tools and tests of routing configurations.
 *
 * <p>Protocol modules plug in through {@link dev.weft.mesh.core.spi}. The engine's own classes in
 * this package are package-private; its reusable parts live in {@code dev.weft.mesh.core.internal},
 * which is not API.
 */
package dev.weft.mesh.core;
