/**
 * Load balancing: the built-in policies ({@code round_robin}, {@code least_request}, {@code
 * ring_hash}, {@code maglev}, {@code random}) as {@link
 * dev.weft.mesh.api.spi.LoadBalancerProvider}s registered with {@link java.util.ServiceLoader}; the
 * {@link dev.weft.mesh.core.LoadBalancerRegistry} that finds and validates them; the {@link
 * dev.weft.mesh.core.internal.lb.ClusterBalancer} that applies Envoy's priority, panic and locality
 * rules around a policy; and the per-endpoint inputs the engine feeds them ({@link
 * dev.weft.mesh.core.internal.lb.PeakEwma}, {@link
 * dev.weft.mesh.core.internal.lb.SlowStartWeights}).
 *
 * <p>Pickers are immutable snapshots built off the call path; picking takes no lock, does not block
 * and allocates nothing.
 *
 * <p><b>Internal</b>: not API. No compatibility is promised; other modules and applications must
 * not use it (an architecture test enforces this for Weft's own modules).
 */
package dev.weft.mesh.core.internal.lb;
