package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.util.List;

/**
 * A logical service that callers address by name ({@code mesh:///reviews}, {@code
 * http://reviews/}), with its ordered routes (Istio's VirtualService, Envoy's virtual host).
 *
 * @param name the name callers use
 * @param routes tried in order; the first match takes the call. A call that no route matches fails
 *     with an error naming the service.
 */
public record Service(String name, List<Route> routes) {
  public Service {
    routes = Checks.listAllowingNulls(routes);
    Checks c = Checks.start();
    c.name(name, "name");
    c.require(!routes.isEmpty(), "routes", "must have at least one route");
    Checks.elementsNotNull(c, routes, "routes");
    c.unique(routes, Route::name, "routes", "route name");
    c.throwIfAny();
  }

  public static Service of(String name, Route... routes) {
    return new Service(name, List.of(routes));
  }
}
