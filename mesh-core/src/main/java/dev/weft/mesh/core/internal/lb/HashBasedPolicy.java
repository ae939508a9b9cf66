package dev.weft.mesh.core.internal.lb;

/**
 * Marks a provider whose pickers place calls by their hash ({@code ring_hash}, {@code maglev}).
 * Such policies see all endpoints of a priority level at once, so {@link ClusterBalancer} does not
 * split their traffic by locality first (as Envoy does not), and it chooses the priority level from
 * the call's hash so that a key stays on one level.
 */
interface HashBasedPolicy {}
