/**
 * Extension points: where configuration comes from ({@link dev.weft.mesh.api.spi.ConfigSource},
 * {@link dev.weft.mesh.api.spi.ConfigListener}) and load-balancing policies ({@link
 * dev.weft.mesh.api.spi.LoadBalancerProvider}, found with {@link java.util.ServiceLoader}).
 */
package dev.weft.mesh.api.spi;
