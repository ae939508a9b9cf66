package dev.weft.mesh.core;

import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.core.spi.CallRequest;

/**
 * Where the mesh would send a call now: the route that matches, the destination drawn from its
 * weights, and the endpoint the balancer picks. See {@link Mesh#decide(CallRequest)}.
 *
 * @param service the service called
 * @param route the matching route's name
 * @param cluster the destination cluster
 * @param subset the destination subset, or empty
 * @param endpoint the endpoint picked
 */
public record RouteDecision(
    String service, String route, String cluster, String subset, Endpoint endpoint) {}
