package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.testing.xds.Resources;
import dev.weft.mesh.xds.XdsTranslator.Result;
import dev.weft.mesh.xds.XdsTranslator.State;
import dev.weft.mesh.xds.XdsTranslator.Target;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.clusters.aggregate.v3.ClusterConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The mapping of Envoy fields to the Weft model, resource by resource. */
class XdsTranslationTest {
  static final Bootstrap.CertificateProvider DEFAULT_PROVIDER =
      new Bootstrap.CertificateProvider(
          "default",
          "file_watcher",
          "/var/lib/istio/data/cert-chain.pem",
          "/var/lib/istio/data/key.pem",
          "/var/lib/istio/data/root-cert.pem",
          Duration.ofMinutes(15));
  static final XdsResourceTypes TYPES = new XdsResourceTypes(Map.of("default", DEFAULT_PROVIDER));
  static final List<Target> TARGETS =
      List.of(
          new Target(
              RichResources.LISTENER,
              RichResources.LISTENER,
              List.of(RichResources.LISTENER, "reviews")));

  static <T> T valid(XdsResourceType<T> type, Message m) {
    XdsResourceType.Parsed<T> p = type.parse(Any.pack(m));
    assertThat(p.error()).isNull();
    return p.value();
  }

  static String error(XdsResourceType<?> type, Message m) {
    XdsResourceType.Parsed<?> p = type.parse(Any.pack(m));
    assertThat(p.isValid()).as("expected %s to be rejected", m).isFalse();
    return p.error();
  }

  static MeshConfig translate(
      Message listener, Message routes, Message c1, Message c2, Message e1, Message e2) {
    Map<String, Optional<XdsValues.Listener>> l = new LinkedHashMap<>();
    l.put(RichResources.LISTENER, Optional.of(valid(TYPES.listeners, listener)));
    Map<String, Optional<XdsValues.RouteConfig>> r = new LinkedHashMap<>();
    r.put(RichResources.ROUTES, Optional.of(valid(TYPES.routes, routes)));
    Map<String, Optional<XdsValues.XdsCluster>> c = new LinkedHashMap<>();
    XdsValues.XdsCluster x1 = valid(TYPES.clusters, c1);
    XdsValues.XdsCluster x2 = valid(TYPES.clusters, c2);
    c.put(x1.name(), Optional.of(x1));
    c.put(x2.name(), Optional.of(x2));
    Map<String, Optional<XdsValues.Endpoints>> e = new LinkedHashMap<>();
    XdsValues.Endpoints y1 = valid(TYPES.endpoints, e1);
    XdsValues.Endpoints y2 = valid(TYPES.endpoints, e2);
    e.put(y1.name(), Optional.of(y1));
    e.put(y2.name(), Optional.of(y2));
    Result result = XdsTranslator.translate(TARGETS, new State(l, r, c, e));
    assertThat(result.missing()).isEmpty();
    return result.config("v1");
  }

  static MeshConfig rich() {
    return translate(
        RichResources.listener(),
        RichResources.routes(),
        RichResources.cluster(RichResources.V1),
        RichResources.cluster(RichResources.V2),
        RichResources.endpoints(RichResources.V1, 9001),
        RichResources.endpoints(RichResources.V2, 9101));
  }

  @Test
  void routesKeepMatchesRetriesHashingTimeoutsAndFaults() {
    MeshConfig config = rich();
    List<Route> routes = config.service(RichResources.LISTENER).orElseThrow().routes();
    assertThat(config.service("reviews").orElseThrow().routes()).isEqualTo(routes);
    assertThat(routes).extracting(Route::name).containsExactly("canary", "regex", "split");

    Route canary = routes.get(0);
    assertThat(canary.match().path())
        .isEqualTo(new PathMatch(PathMatch.Kind.PREFIX, "/reviews.Reviews/", true));
    assertThat(canary.match().headers())
        .containsExactly(
            HeaderMatch.exact("end-user", "jason"),
            HeaderMatch.present("x-canary"),
            HeaderMatch.range("x-tier", 1, 10),
            HeaderMatch.exact("x-block", "yes").inverted());
    assertThat(canary.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(canary.retry().maxAttempts()).isEqualTo(3);
    assertThat(canary.retry().retryOn())
        .containsExactlyInAnyOrder(RetryOn.UNAVAILABLE, RetryOn.CANCELLED, RetryOn.FIVE_XX);
    assertThat(canary.retry().initialBackoff()).isEqualTo(Duration.ofMillis(50));
    assertThat(canary.retry().maxBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(canary.hashPolicies()).containsExactly(HashPolicy.header("x-user"));
    assertThat(canary.fault().delay())
        .isEqualTo(new FaultInjection.Delay(Duration.ofMillis(5), 10));
    assertThat(canary.fault().abort()).isEqualTo(new FaultInjection.Abort(503, "UNAVAILABLE", 5));

    Route regex = routes.get(1);
    assertThat(regex.match().path()).isEqualTo(PathMatch.regex("/reviews\\.Reviews/(Get|List)"));
    assertThat(regex.timeout()).as("route max_stream_duration").isEqualTo(Duration.ofSeconds(2));
    assertThat(regex.fault()).isEqualTo(FaultInjection.NONE);

    Route split = routes.get(2);
    assertThat(split.timeout())
        .as("listener max_stream_duration")
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(split.destinations())
        .extracting(d -> d.cluster() + "=" + d.weight())
        .containsExactly(RichResources.V1 + "=70", RichResources.V2 + "=30");
  }

  @Test
  void clustersKeepPoliciesAndEndpointsKeepLocalityPriorityAndShares() {
    Cluster v1 = rich().cluster(RichResources.V1).orElseThrow();
    assertThat(v1.loadBalancing().policy()).isEqualTo(LoadBalancing.LEAST_REQUEST);
    assertThat(v1.loadBalancing().options()).containsEntry("choiceCount", 3);
    assertThat(v1.circuitBreakers().maxRequests()).isEqualTo(100);
    assertThat(v1.circuitBreakers().maxPendingRequests()).isEqualTo(10);
    assertThat(v1.circuitBreakers().maxRetries()).isEqualTo(3);
    assertThat(v1.circuitBreakers().maxConnections()).isEqualTo(1024);
    assertThat(v1.outlierDetection().enabled()).isTrue();
    assertThat(v1.outlierDetection().consecutiveFailures()).isEqualTo(7);
    assertThat(v1.outlierDetection().interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(v1.outlierDetection().baseEjectionTime()).isEqualTo(Duration.ofSeconds(15));
    assertThat(v1.outlierDetection().maxEjectionPercent()).isEqualTo(50);
    assertThat(v1.outlierDetection().failurePercentage().enabled()).isTrue();
    assertThat(v1.connectTimeout()).isEqualTo(Duration.ofSeconds(10));

    assertThat(v1.endpoints()).hasSize(4);
    Endpoint west = v1.endpoints().get(3);
    assertThat(west.priority()).isEqualTo(1);
    assertThat(west.locality().zone()).isEqualTo("us-west1-a");
    // Locality b has weight 3 over ports 9001 and 9002 weighted 2:1; locality c (port 9003) has
    // weight 1.
    Map<Integer, Integer> weights = new LinkedHashMap<>();
    v1.endpoints().forEach(e -> weights.put(e.port(), e.weight()));
    assertThat(weights.get(9001) + weights.get(9002)).isEqualTo(3 * weights.get(9003));
    assertThat(weights.get(9001)).isEqualTo(2 * weights.get(9002));
  }

  @Test
  void loadBalancingPolicyConfigsWinOverLbPolicy() {
    LoadBalancingPolicy ringInsideWrr =
        LoadBalancingPolicy.newBuilder()
            .addPolicies(policy(Any.pack(com.google.protobuf.Struct.getDefaultInstance())))
            .addPolicies(
                policy(
                    Any.pack(
                        WrrLocality.newBuilder()
                            .setEndpointPickingPolicy(
                                LoadBalancingPolicy.newBuilder()
                                    .addPolicies(
                                        policy(
                                            Any.pack(
                                                RingHash.newBuilder()
                                                    .setMinimumRingSize(
                                                        com.google.protobuf.UInt64Value.of(64))
                                                    .build())))
                                    .addPolicies(policy(Any.pack(RoundRobin.getDefaultInstance()))))
                            .build())))
            .build();
    XdsValues.XdsCluster c =
        valid(
            TYPES.clusters,
            RichResources.cluster(RichResources.V1).toBuilder()
                .setLoadBalancingPolicy(ringInsideWrr)
                .build());
    assertThat(c.cluster().loadBalancing().policy()).isEqualTo(LoadBalancing.RING_HASH);
    assertThat(c.cluster().loadBalancing().localityWeighted()).isTrue();

    String error =
        error(
            TYPES.clusters,
            RichResources.cluster(RichResources.V1).toBuilder()
                .setLoadBalancingPolicy(
                    LoadBalancingPolicy.newBuilder()
                        .addPolicies(
                            policy(Any.pack(com.google.protobuf.Struct.getDefaultInstance()))))
                .build());
    assertThat(error)
        .startsWith("load_balancing_policy.policies: none is supported")
        .contains("google.protobuf.Struct");

    XdsValues.XdsCluster panic =
        valid(
            TYPES.clusters,
            RichResources.cluster(RichResources.V1).toBuilder()
                .setCommonLbConfig(
                    io.envoyproxy.envoy.config.cluster.v3.Cluster.CommonLbConfig.newBuilder()
                        .setHealthyPanicThreshold(
                            io.envoyproxy.envoy.type.v3.Percent.newBuilder().setValue(20))
                        .setLocalityWeightedLbConfig(
                            io.envoyproxy.envoy.config.cluster.v3.Cluster.CommonLbConfig
                                .LocalityWeightedLbConfig.getDefaultInstance()))
                .build());
    assertThat(panic.cluster().loadBalancing().panicThresholdPercent()).isEqualTo(20.0);
    assertThat(panic.cluster().loadBalancing().localityWeighted()).isTrue();
  }

  private static LoadBalancingPolicy.Policy policy(Any config) {
    return LoadBalancingPolicy.Policy.newBuilder()
        .setTypedExtensionConfig(
            TypedExtensionConfig.newBuilder().setName("p").setTypedConfig(config))
        .build();
  }

  @Test
  void upstreamTlsTakesFilesFromTheBootstrapsCertificateProvider() {
    UpstreamTlsContext tls =
        UpstreamTlsContext.newBuilder()
            .setSni("outbound_.9080_.v2_.reviews.default.svc.cluster.local")
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .setTlsCertificateProviderInstance(
                        CertificateProviderPluginInstance.newBuilder()
                            .setInstanceName("default")
                            .setCertificateName("default"))
                    .setCombinedValidationContext(
                        CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                            .setDefaultValidationContext(
                                CertificateValidationContext.newBuilder()
                                    .addMatchSubjectAltNames(
                                        StringMatcher.newBuilder()
                                            .setExact(
                                                "spiffe://cluster.local/ns/default/sa/bookinfo-reviews"))
                                    .setCaCertificateProviderInstance(
                                        CertificateProviderPluginInstance.newBuilder()
                                            .setInstanceName("default")
                                            .setCertificateName("ROOTCA")))))
            .build();
    io.envoyproxy.envoy.config.cluster.v3.Cluster withTls =
        RichResources.cluster(RichResources.V2).toBuilder()
            .setTransportSocket(
                TransportSocket.newBuilder()
                    .setName("envoy.transport_sockets.tls")
                    .setTypedConfig(Any.pack(tls)))
            .build();
    TlsSettings settings = valid(TYPES.clusters, withTls).cluster().tls();
    assertThat(settings.mode()).isEqualTo(TlsSettings.Mode.MUTUAL);
    assertThat(settings.certificateChain()).isEqualTo(DEFAULT_PROVIDER.certificateFile());
    assertThat(settings.privateKey()).isEqualTo(DEFAULT_PROVIDER.privateKeyFile());
    assertThat(settings.caCertificates()).isEqualTo(DEFAULT_PROVIDER.caCertificateFile());
    assertThat(settings.subjectAltNames())
        .containsExactly("spiffe://cluster.local/ns/default/sa/bookinfo-reviews");

    UpstreamTlsContext unknown =
        tls.toBuilder()
            .setCommonTlsContext(
                tls.getCommonTlsContext().toBuilder()
                    .setTlsCertificateProviderInstance(
                        CertificateProviderPluginInstance.newBuilder().setInstanceName("nope")))
            .build();
    assertThat(
            error(
                TYPES.clusters,
                withTls.toBuilder()
                    .setTransportSocket(
                        TransportSocket.newBuilder().setTypedConfig(Any.pack(unknown)))
                    .build()))
        .contains("tls_certificate_provider_instance.instance_name")
        .contains("'nope'");
  }

  @Test
  void aggregateClustersConcatenateTheirChildrenByPriority() {
    io.envoyproxy.envoy.config.cluster.v3.Cluster aggregate =
        io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
            .setName("agg")
            .setClusterType(
                io.envoyproxy.envoy.config.cluster.v3.Cluster.CustomClusterType.newBuilder()
                    .setName(ClusterParser.AGGREGATE)
                    .setTypedConfig(
                        Any.pack(
                            ClusterConfig.newBuilder()
                                .addClusters(RichResources.V1)
                                .addClusters(RichResources.V2)
                                .build())))
            .build();
    Map<String, Optional<XdsValues.XdsCluster>> clusters = new LinkedHashMap<>();
    clusters.put("agg", Optional.of(valid(TYPES.clusters, aggregate)));
    clusters.put(
        RichResources.V1,
        Optional.of(valid(TYPES.clusters, RichResources.cluster(RichResources.V1))));
    clusters.put(
        RichResources.V2,
        Optional.of(valid(TYPES.clusters, RichResources.cluster(RichResources.V2))));
    Map<String, Optional<XdsValues.Endpoints>> endpoints = new LinkedHashMap<>();
    endpoints.put(
        RichResources.V1,
        Optional.of(valid(TYPES.endpoints, RichResources.endpoints(RichResources.V1, 9001))));
    endpoints.put(RichResources.V2, Optional.empty()); // does not exist: no endpoints
    RouteConfiguration toAggregate =
        Resources.weighted(RichResources.ROUTES, RichResources.LISTENER, "agg", 1, "agg", 0);
    Result result =
        XdsTranslator.translate(
            TARGETS,
            new State(
                Map.of(
                    RichResources.LISTENER,
                    Optional.of(valid(TYPES.listeners, RichResources.listener()))),
                Map.of(RichResources.ROUTES, Optional.of(valid(TYPES.routes, toAggregate))),
                clusters,
                endpoints));
    assertThat(result.missing()).isEmpty();
    assertThat(result.clusterNames())
        .containsExactlyInAnyOrder("agg", RichResources.V1, RichResources.V2);
    Cluster agg = result.config("v").cluster("agg").orElseThrow();
    assertThat(agg.endpoints()).hasSize(4);
    assertThat(agg.endpoints()).extracting(Endpoint::priority).containsExactly(0, 0, 0, 1);
  }

  @Test
  void unsupportedValuesOfSupportedFieldsAreRejectedNamingTheField() {
    assertThat(
            error(
                TYPES.clusters,
                RichResources.cluster(RichResources.V1).toBuilder()
                    .setType(
                        io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.ORIGINAL_DST)
                    .build()))
        .startsWith("type: ORIGINAL_DST is not supported");
    assertThat(
            error(
                TYPES.clusters,
                RichResources.cluster(RichResources.V1).toBuilder()
                    .setLbPolicy(
                        io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.CLUSTER_PROVIDED)
                    .build()))
        .startsWith("lb_policy: CLUSTER_PROVIDED");
    assertThat(
            error(
                TYPES.clusters,
                RichResources.cluster(RichResources.V1).toBuilder()
                    .setOutlierDetection(
                        io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder()
                            .setMaxEjectionPercent(UInt32Value.of(150)))
                    .build()))
        .startsWith("outlier_detection")
        .contains("maxEjectionPercent");
    assertThat(
            error(
                TYPES.endpoints,
                RichResources.endpoints(RichResources.V1, 9001).toBuilder()
                    .setEndpoints(
                        2,
                        RichResources.endpoints(RichResources.V1, 9001).getEndpoints(2).toBuilder()
                            .setPriority(3))
                    .build()))
        .startsWith("endpoints: priorities must be contiguous");
    RouteConfiguration redirect =
        RichResources.routes().toBuilder()
            .setVirtualHosts(
                1,
                RichResources.routes().getVirtualHosts(1).toBuilder()
                    .setRoutes(
                        0,
                        RichResources.routes().getVirtualHosts(1).getRoutes(0).toBuilder()
                            .setRedirect(
                                io.envoyproxy.envoy.config.route.v3.RedirectAction
                                    .getDefaultInstance())))
            .build();
    assertThat(error(TYPES.routes, redirect))
        .startsWith("virtual_hosts[1].routes[0].action: only a route action is supported");
    RouteConfiguration badRegex =
        RichResources.routes().toBuilder()
            .setVirtualHosts(
                1,
                RichResources.routes().getVirtualHosts(1).toBuilder()
                    .setRoutes(
                        1,
                        RichResources.routes().getVirtualHosts(1).getRoutes(1).toBuilder()
                            .setMatch(
                                io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder()
                                    .setSafeRegex(
                                        io.envoyproxy.envoy.type.matcher.v3.RegexMatcher
                                            .newBuilder()
                                            .setRegex("(unclosed")))))
            .build();
    assertThat(error(TYPES.routes, badRegex))
        .startsWith("virtual_hosts[1].routes[1].match.safe_regex");
    assertThat(
            error(
                TYPES.listeners,
                io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
                    .setName("tcp")
                    .build()))
        .startsWith("api_listener: is required");
  }

  @Test
  void harmlessUnsupportedFieldsAreIgnoredAndRoutesGrpcWouldSkipAreSkipped() {
    io.envoyproxy.envoy.config.route.v3.Route withQuery =
        RichResources.routes().getVirtualHosts(1).getRoutes(0).toBuilder()
            .setMatch(
                RichResources.routes().getVirtualHosts(1).getRoutes(0).getMatch().toBuilder()
                    .addQueryParameters(
                        io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher.newBuilder()
                            .setName("q")))
            .setRoute(
                RichResources.routes().getVirtualHosts(1).getRoutes(0).getRoute().toBuilder()
                    .addHashPolicy(
                        io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy.newBuilder()
                            .setConnectionProperties(
                                io.envoyproxy.envoy.config.route.v3.RouteAction.HashPolicy
                                    .ConnectionProperties.newBuilder()
                                    .setSourceIp(true))))
            .build();
    RouteConfiguration rc =
        RichResources.routes().toBuilder()
            .setVirtualHosts(
                1,
                RichResources.routes().getVirtualHosts(1).toBuilder()
                    .setRoutes(0, withQuery)
                    .setIncludeRequestAttemptCount(true))
            .build();
    XdsValues.RouteConfig parsed = valid(TYPES.routes, rc);
    assertThat(parsed.virtualHosts().get(1).routes())
        .extracting(r -> r.route().name())
        .containsExactly("regex", "split");
  }

  @Test
  void virtualHostsMatchLikeEnvoy() {
    XdsValues.VirtualHost exact =
        new XdsValues.VirtualHost("exact", List.of("a.example.com"), List.of(), Map.of());
    XdsValues.VirtualHost suffix =
        new XdsValues.VirtualHost("suffix", List.of("*.example.com"), List.of(), Map.of());
    XdsValues.VirtualHost prefix =
        new XdsValues.VirtualHost("prefix", List.of("a.example.*"), List.of(), Map.of());
    XdsValues.VirtualHost any = new XdsValues.VirtualHost("any", List.of("*"), List.of(), Map.of());
    List<XdsValues.VirtualHost> all = List.of(any, prefix, suffix, exact);
    assertThat(XdsTranslator.matchVirtualHost(all, "A.example.com").name()).isEqualTo("exact");
    assertThat(XdsTranslator.matchVirtualHost(all, "b.example.com").name()).isEqualTo("suffix");
    assertThat(XdsTranslator.matchVirtualHost(all, "a.example.org").name()).isEqualTo("prefix");
    assertThat(XdsTranslator.matchVirtualHost(all, "other").name()).isEqualTo("any");
    assertThat(XdsTranslator.matchVirtualHost(List.of(exact), "other")).isNull();
  }

  @Test
  void missingResourcesAreAwaitedAndResourcesThatDoNotExistAreLeftOut() {
    Map<String, Optional<XdsValues.Listener>> listeners =
        Map.of(
            RichResources.LISTENER, Optional.of(valid(TYPES.listeners, RichResources.listener())));
    Result waiting =
        XdsTranslator.translate(TARGETS, new State(listeners, Map.of(), Map.of(), Map.of()));
    assertThat(waiting.complete()).isFalse();
    assertThat(waiting.missing()).containsExactly("RouteConfiguration " + RichResources.ROUTES);
    assertThat(waiting.routeNames()).containsExactly(RichResources.ROUTES);

    Result gone =
        XdsTranslator.translate(
            TARGETS,
            new State(
                listeners, Map.of(RichResources.ROUTES, Optional.empty()), Map.of(), Map.of()));
    assertThat(gone.complete()).isTrue();
    assertThat(gone.config("v").services()).isEmpty();

    Result clusterGone =
        XdsTranslator.translate(
            TARGETS,
            new State(
                listeners,
                Map.of(
                    RichResources.ROUTES, Optional.of(valid(TYPES.routes, RichResources.routes()))),
                Map.of(RichResources.V1, Optional.empty(), RichResources.V2, Optional.empty()),
                Map.of()));
    assertThat(clusterGone.complete()).isTrue();
    assertThat(clusterGone.config("v").cluster(RichResources.V1).orElseThrow().endpoints())
        .isEmpty();
  }
}
