package dev.weft.mesh.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.Route;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RouteTranslatorTest {
  private static final RouteTranslator.Backends BACKENDS =
      (ns, name, port) ->
          name.startsWith("missing") ? Optional.empty() : Optional.of(name + "." + ns);

  private static HTTPRoute route(String spec) {
    return Serialization.unmarshal(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: default, resourceVersion: "3"}
        spec:
          parentRefs: [{group: "", kind: Service, name: reviews}]
        """
            + spec,
        HTTPRoute.class);
  }

  private static List<Route> ordered(TranslatedRoute t) {
    List<TranslatedRoute.Entry> entries = new ArrayList<>(t.entries());
    entries.sort(TranslatedRoute.Entry.PRECEDENCE);
    return entries.stream().map(TranslatedRoute.Entry::route).toList();
  }

  @Test
  void istioTasksTranslate() throws Exception {
    TranslatedRoute t =
        RouteTranslator.http(
            route(
                """
                  rules:
                    - backendRefs: [{name: reviews-v1, port: 9080}]
                    - matches: [{headers: [{name: end-user, value: jason}]}]
                      backendRefs: [{name: reviews-v2, port: 9080}]
                      timeouts: {request: 1s, backendRequest: 300ms}
                      retry: {attempts: 2, codes: [503], backoff: 50ms}
                      filters:
                        - type: RequestMirror
                          requestMirror:
                            backendRef: {name: reviews-v3, port: 9080}
                            percent: 10
                """),
            BACKENDS);
    assertThat(t.parents()).containsExactly("default/reviews");
    List<Route> routes = ordered(t);
    Route jason = routes.get(0);
    assertThat(jason.match().headers())
        .singleElement()
        .satisfies(h -> assertThat(h.value()).isEqualTo("jason"));
    assertThat(jason.destinations().get(0).cluster()).isEqualTo("reviews-v2.default");
    assertThat(jason.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(jason.retry().maxAttempts()).isEqualTo(3);
    assertThat(jason.retry().perTryTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(jason.retry().retriableStatusCodes()).containsExactly(503);
    assertThat(jason.retry().retryOn()).contains(RetryOn.RETRIABLE_STATUS_CODES);
    assertThat(jason.retry().initialBackoff()).isEqualTo(Duration.ofMillis(50));
    assertThat(jason.mirrors())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.cluster()).isEqualTo("reviews-v3.default");
              assertThat(m.percent()).isEqualTo(10.0);
            });
    assertThat(routes.get(1).destinations().get(0).cluster()).isEqualTo("reviews-v1.default");
  }

  @Test
  void prefixMatchesWholePathElementsAndExactPathsComeFirst() throws Exception {
    TranslatedRoute t =
        RouteTranslator.http(
            route(
                """
                  rules:
                    - matches: [{path: {type: PathPrefix, value: /api}}]
                      backendRefs: [{name: a}]
                    - matches: [{path: {type: PathPrefix, value: /api/v2/}}]
                      backendRefs: [{name: b}]
                    - matches: [{path: {type: Exact, value: /api/v2/health}}]
                      backendRefs: [{name: c}]
                """),
            BACKENDS);
    List<Route> routes = ordered(t);
    assertThat(routes)
        .extracting(r -> r.destinations().get(0).cluster())
        .containsExactly("c.default", "b.default", "a.default");
    PathMatch prefix = routes.get(2).match().path();
    Pattern p = Pattern.compile(prefix.value());
    assertThat(p.matcher("/api").matches()).isTrue();
    assertThat(p.matcher("/api/x").matches()).isTrue();
    assertThat(p.matcher("/apix").matches()).isFalse();
  }

  @Test
  void whatCannotBeAppliedIsRefusedWithItsField() {
    assertThatThrownBy(
            () ->
                RouteTranslator.http(
                    route(
                        """
                          rules:
                            - backendRefs: [{name: a}]
                              filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /x}}}]
                        """),
                    BACKENDS))
        .isInstanceOfSatisfying(
            RouteRejectedException.class,
            e -> assertThat(e.field()).isEqualTo("spec.rules[0].filters[0].type"));
    assertThatThrownBy(
            () ->
                RouteTranslator.http(
                    route(
                        """
                          rules:
                            - backendRefs: [{name: missing-svc}]
                        """),
                    BACKENDS))
        .isInstanceOfSatisfying(
            RouteRejectedException.class,
            e -> {
              assertThat(e.field()).isEqualTo("spec.rules[0].backendRefs[0].name");
              assertThat(e.getMessage()).contains("default/missing-svc");
            });
    assertThatThrownBy(
            () ->
                RouteTranslator.http(
                    route(
                        """
                          rules:
                            - backendRefs: [{name: a}]
                              timeouts: {request: 10 seconds}
                        """),
                    BACKENDS))
        .isInstanceOfSatisfying(
            RouteRejectedException.class,
            e -> assertThat(e.field()).isEqualTo("spec.rules[0].timeouts.request"));
    assertThatThrownBy(
            () ->
                RouteTranslator.http(
                    route(
                        """
                          rules:
                            - matches: [{queryParams: [{name: q, value: x}]}]
                              backendRefs: [{name: a}]
                        """),
                    BACKENDS))
        .isInstanceOfSatisfying(
            RouteRejectedException.class,
            e -> assertThat(e.field()).isEqualTo("spec.rules[0].matches[0].queryParams"));
  }

  @Test
  void gatewayParentsAreNotMeshRoutes() {
    HTTPRoute r = route("  rules: [{backendRefs: [{name: a}]}]\n");
    assertThat(RouteTranslator.isMeshRoute(r.getSpec().getParentRefs())).isTrue();
    r.getSpec().getParentRefs().get(0).setKind("Gateway");
    r.getSpec().getParentRefs().get(0).setGroup("gateway.networking.k8s.io");
    assertThat(RouteTranslator.isMeshRoute(r.getSpec().getParentRefs())).isFalse();
  }
}
