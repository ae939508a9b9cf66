package dev.weft.mesh.core;

import dev.weft.mesh.core.spi.CallRequest;

/** A service's routes in order; the first whose match holds takes the call. Immutable. */
final class ServiceRouter {
  final String service;
  final CompiledRoute[] routes;

  ServiceRouter(String service, CompiledRoute[] routes) {
    this.service = service;
    this.routes = routes;
  }

  /** The first route that matches, or null. Allocates nothing for non-regex matches. */
  CompiledRoute route(CallRequest request) {
    for (CompiledRoute r : routes) {
      if (r.matcher.matches(request)) {
        return r;
      }
    }
    return null;
  }
}
