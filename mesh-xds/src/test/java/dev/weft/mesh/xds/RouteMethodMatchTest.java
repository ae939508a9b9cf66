package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code :method} exact matchers: like every header matcher of a route, they must all match. */
class RouteMethodMatchTest {

  private static XdsValues.VirtualHost parse(Route... routes) {
    RouteConfiguration rc =
        RouteConfiguration.newBuilder()
            .setName("rc")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("vh")
                    .addDomains("*")
                    .addAllRoutes(List.of(routes)))
            .build();
    return XdsTranslationTest.valid(XdsTranslationTest.TYPES.routes, rc).virtualHosts().get(0);
  }

  private static Route route(String name, String... methods) {
    RouteMatch.Builder match = RouteMatch.newBuilder().setPrefix("/");
    for (String m : methods) {
      match.addHeaders(
          HeaderMatcher.newBuilder()
              .setName(":method")
              .setStringMatch(StringMatcher.newBuilder().setExact(m)));
    }
    return Route.newBuilder()
        .setName(name)
        .setMatch(match)
        .setRoute(RouteAction.newBuilder().setCluster("c"))
        .build();
  }

  @Test
  void oneMethodBecomesTheRoutesMethod() {
    assertThat(parse(route("get", "GET")).routes().get(0).route().match().methods())
        .containsExactly("GET");
  }

  @Test
  void twoDifferentMethodsCanNeverBothMatchSoTheRouteIsSkipped() {
    XdsValues.VirtualHost vh = parse(route("never", "GET", "POST"), route("all"));

    assertThat(vh.routes()).extracting(r -> r.route().name()).containsExactly("all");
  }

  @Test
  void aRouteThatNeverMatchesIsStillCheckedWhole() {
    Route broken =
        route("never", "GET", "POST").toBuilder()
            .setRoute(RouteAction.newBuilder().setCluster(""))
            .build();
    RouteConfiguration rc =
        RouteConfiguration.newBuilder()
            .setName("rc")
            .addVirtualHosts(
                VirtualHost.newBuilder().setName("vh").addDomains("*").addRoutes(broken))
            .build();

    assertThat(XdsTranslationTest.error(XdsTranslationTest.TYPES.routes, rc))
        .contains("route.cluster: must not be empty");
  }

  @Test
  void theSameMethodTwiceIsThatMethod() {
    assertThat(parse(route("get", "GET", "GET")).routes().get(0).route().match().methods())
        .containsExactly("GET");
  }
}
