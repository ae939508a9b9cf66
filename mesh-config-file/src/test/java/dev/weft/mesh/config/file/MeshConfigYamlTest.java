package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.ConfigViolation;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.Resilience4jInstances;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.TlsSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MeshConfigYamlTest {

  private static MeshConfig read(String yaml) {
    return MeshConfigYaml.read(yaml.getBytes(StandardCharsets.UTF_8), "mesh.yaml");
  }

  private static InvalidConfigException rejection(String yaml) {
    return rejection(yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static InvalidConfigException rejection(byte[] content) {
    InvalidConfigException e =
        catchThrowableOfType(
            InvalidConfigException.class, () -> MeshConfigYaml.read(content, "mesh.yaml"));
    assertThat(e).as("the file should be rejected").isNotNull();
    assertThat(e.source()).isEqualTo("mesh.yaml");
    return e;
  }

  private static ConfigViolation only(InvalidConfigException e) {
    assertThat(e.violations()).as(e.getMessage()).hasSize(1);
    return e.violations().get(0);
  }

  // ---- every problem in one exception, located

  @Test
  void reportsTwoErrorsOnDifferentLinesInOneException() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          reviews:
            endpoints:
              - address: 127.0.0.1:9081
              - address: 127.0.0.1:9082
                weight: -1
            conectTimeout: 1s
        """);

    assertThat(e.violations())
        .containsExactly(
            new ConfigViolation(
                "mesh.yaml:6:9",
                "clusters.reviews.endpoints[1].weight",
                "must be at least 1, was -1"),
            new ConfigViolation(
                "mesh.yaml:7:5",
                "clusters.reviews.conectTimeout",
                "unknown key 'conectTimeout'; did you mean 'connectTimeout'?"));
    assertThat(e.getMessage())
        .contains("mesh.yaml:6:9: clusters.reviews.endpoints[1].weight: must be at least 1, was -1")
        .contains("mesh.yaml:7:5: clusters.reviews.conectTimeout: unknown key");
  }

  @Test
  void collectsErrorsOfEveryKindInOnePassInFileOrder() {
    InvalidConfigException e =
        rejection(
            """
        services:
          reviews:
            routes:
              - destinations: [{cluster: nowhere}]
                timeout: 5
                retry: {maxAttempts: 30, retryOn: "5xx,bogus"}
        clusters:
          reviews:
            endpoints:
              - {address: 127.0.0.1:9082, weight: abc}
              - {address: "::1:80"}
            tls: {}
        """);

    assertThat(e.violations())
        .extracting(ConfigViolation::location, ConfigViolation::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "mesh.yaml:4:25", "services.reviews.routes[0].destinations[0].cluster"),
            org.assertj.core.groups.Tuple.tuple(
                "mesh.yaml:5:9", "services.reviews.routes[0].timeout"),
            org.assertj.core.groups.Tuple.tuple(
                "mesh.yaml:6:17", "services.reviews.routes[0].retry.maxAttempts"),
            org.assertj.core.groups.Tuple.tuple(
                "mesh.yaml:6:34", "services.reviews.routes[0].retry.retryOn"),
            org.assertj.core.groups.Tuple.tuple(
                "mesh.yaml:10:35", "clusters.reviews.endpoints[0].weight"),
            org.assertj.core.groups.Tuple.tuple(
                "mesh.yaml:11:10", "clusters.reviews.endpoints[1].address"),
            org.assertj.core.groups.Tuple.tuple("mesh.yaml:12:5", "clusters.reviews.tls.mode"));
    assertThat(e.violations())
        .extracting(ConfigViolation::message)
        .containsExactly(
            "names cluster 'nowhere', which is not defined; defined clusters: [reviews]",
            "needs a unit, for example '5s' (units: ns, us, ms, s, m, h); was '5'",
            "must be from 1 to 10, was 30",
            "has the unknown condition 'bogus'; the conditions are 5xx, gateway-error, reset, connect-failure, refused-stream, "
                + "retriable-4xx, retriable-status-codes, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable",
            "must be an integer, was the string 'abc'",
            "must put an IPv6 address in brackets, for example [::1]:9081; was '::1:80'",
            "is required");
  }

  @Test
  void unknownKeysSuggestTheClosestKnownKeyOrListTheKeys() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          c:
            endpoints: [{address: "a:1", wieght: 2}]
            circuitBreakers: {max_connections: 5}
            color: blue
        """);

    assertThat(e.violations())
        .extracting(ConfigViolation::message)
        .containsExactly(
            "unknown key 'wieght'; did you mean 'weight'?",
            "unknown key 'max_connections'; did you mean 'maxConnections'?",
            "unknown key 'color'; the keys here are endpoints, subsets, loadBalancing, circuitBreakers, outlierDetection, "
                + "retryBudget, tls, connectTimeout, resilience4j");
  }

  @Test
  void wrongTypesAreNamed() {
    InvalidConfigException e =
        rejection(
            """
        services:
          s:
            routes:
              - destinations: [{cluster: c}]
                match: {methods: GET}
                retry: 5
        clusters:
          c:
            endpoints: {address: "a:1"}
            loadBalancing: {localityWeighted: yes, panicThreshold: high}
        """);

    assertThat(e.violations())
        .extracting(ConfigViolation::path, ConfigViolation::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "services.s.routes[0].match.methods", "must be a list, was the string 'GET'"),
            org.assertj.core.groups.Tuple.tuple(
                "services.s.routes[0].retry",
                "must be a mapping with the keys maxAttempts, perTryTimeout, retryOn, retriableStatusCodes, initialBackoff, "
                    + "maxBackoff, retryNonIdempotent; was the number '5'"),
            org.assertj.core.groups.Tuple.tuple(
                "clusters.c.endpoints", "must be a list, was a mapping"),
            org.assertj.core.groups.Tuple.tuple(
                "clusters.c.loadBalancing.localityWeighted",
                "must be true or false, was the boolean 'yes'"),
            org.assertj.core.groups.Tuple.tuple(
                "clusters.c.loadBalancing.panicThreshold",
                "must be a number, was the string 'high'"));
  }

  @Test
  void missingRequiredKeysAreReportedAtTheEnclosingMapping() {
    InvalidConfigException e =
        rejection(
            """
        services:
          s:
            routes:
              - name: r
                hedging: {delay: 10ms}
        clusters:
          c:
            endpoints:
              - weight: 2
        """);

    assertThat(e.violations())
        .containsExactly(
            new ConfigViolation(
                "mesh.yaml:4:9", "services.s.routes[0].destinations", "is required"),
            new ConfigViolation(
                "mesh.yaml:5:9", "services.s.routes[0].hedging.maxAttempts", "is required"),
            new ConfigViolation("mesh.yaml:9:9", "clusters.c.endpoints[0].address", "is required"));
  }

  @Test
  void aModelViolationOfADefaultedKeyPointsAtTheNearestEnclosingKeyInTheFile() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          c:
            outlierDetection:
              baseEjectionTime: 10m
        """);

    assertThat(only(e))
        .isEqualTo(
            new ConfigViolation(
                "mesh.yaml:3:5",
                "clusters.c.outlierDetection.maxEjectionTime",
                "must not be shorter than baseEjectionTime (PT10M), was PT5M"));
  }

  @Test
  void crossReferenceViolationsOfTheMeshConfigAreLocated() {
    InvalidConfigException e =
        rejection(
            """
        services:
          reviews:
            routes:
              - name: first
                destinations: [{cluster: reviews}]
              - name: second
                destinations:
                  - cluster: reviews
                    subset: v9
                mirrors:
                  - cluster: shadow
        clusters:
          reviews:
            subsets: {v1: {version: v1}}
        """);

    assertThat(e.violations())
        .containsExactly(
            new ConfigViolation(
                "mesh.yaml:9:13",
                "services.reviews.routes[1].destinations[0].subset",
                "names subset 'v9' of cluster 'reviews', which defines only [v1]"),
            new ConfigViolation(
                "mesh.yaml:11:13",
                "services.reviews.routes[1].mirrors[0].cluster",
                "names cluster 'shadow', which is not defined; defined clusters: [reviews]"));
  }

  @Test
  void aClusterWithErrorsOfItsOwnIsNotAlsoReportedAsUndefined() {
    InvalidConfigException e =
        rejection(
            """
        services:
          reviews:
            routes:
              - destinations: [{cluster: reviews, subset: v1}]
        clusters:
          reviews:
            subsets: {v1: {version: v1}}
            connectTimeout: 0s
        """);

    assertThat(only(e))
        .isEqualTo(
            new ConfigViolation(
                "mesh.yaml:8:5", "clusters.reviews.connectTimeout", "must be positive, was PT0S"));
  }

  @Test
  void aRouteThatLosesItsOnlyDestinationIsNotAlsoReportedAsHavingNone() {
    InvalidConfigException e =
        rejection(
            """
        services:
          s:
            routes:
              - destinations: [{cluster: c, weight: x}]
        clusters:
          c: {}
        """);

    assertThat(only(e).message()).isEqualTo("must be an integer, was the string 'x'");
  }

  @Test
  void modelPathsWithListIndexesMapToTheFilesListIndexesEvenWhenItemsBeforeThemFailed() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          c:
            endpoints:
              - {address: bad}
              - {address: "a:1"}
              - {address: "a:1"}
        """);

    assertThat(e.violations())
        .containsExactly(
            new ConfigViolation(
                "mesh.yaml:4:10",
                "clusters.c.endpoints[0].address",
                "must be host:port, for example 127.0.0.1:9080; was 'bad'"),
            new ConfigViolation(
                "mesh.yaml:6:9", "clusters.c.endpoints[2]", "duplicate endpoint address 'a:1'"));
  }

  @Test
  void fieldsNamedDifferentlyInTheModelAreReportedUnderTheirFileNames() {
    InvalidConfigException e =
        rejection(
            """
        services:
          s:
            routes:
              - destinations: [{cluster: c}]
                match:
                  path: {regex: "(", ignoreCase: true}
                  headers: [{name: x, suffix: ""}]
        clusters:
          c:
            endpoints: [{address: "a:70000"}]
            subsets: {v1: {}}
            loadBalancing: {panicThreshold: 150}
        """);

    assertThat(e.violations())
        .extracting(ConfigViolation::path, ConfigViolation::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "services.s.routes[0].match.path.regex",
                "is not a valid regular expression: Unclosed group near index 1"),
            org.assertj.core.groups.Tuple.tuple(
                "services.s.routes[0].match.path.ignoreCase",
                "is not supported with a regex; use (?i) in the expression"),
            org.assertj.core.groups.Tuple.tuple(
                "services.s.routes[0].match.headers[0].suffix",
                "must not be empty for a suffix match"),
            org.assertj.core.groups.Tuple.tuple(
                "clusters.c.endpoints[0].address", "must be from 1 to 65535, was 70000"),
            org.assertj.core.groups.Tuple.tuple(
                "clusters.c.subsets.v1", "must select at least one label"),
            org.assertj.core.groups.Tuple.tuple(
                "clusters.c.loadBalancing.panicThreshold",
                "must be a percentage from 0 to 100, was 150.0"));
  }

  @Test
  void namesThatWouldBeAmbiguousInAPathAreQuoted() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          reviews.default.svc:
            endpoints: [{address: "a:1", labels: {app.kubernetes.io/name: ~}}]
        """);

    assertThat(only(e).path())
        .isEqualTo(
            "clusters[\"reviews.default.svc\"].endpoints[0].labels[\"app.kubernetes.io/name\"]");
  }

  // ---- values

  @Test
  void durationsTakeUnitsAndABareZero() {
    MeshConfig config =
        read(
            """
        services:
          s:
            routes:
              - destinations: [{cluster: c}]
                timeout: 1.5s
                retry: {perTryTimeout: 250ms, initialBackoff: 0.5ms, maxBackoff: 1m30s}
                hedging: {maxAttempts: 1, delay: 0}
        clusters:
          c: {connectTimeout: 2h}
        """);

    Route route = config.services().get(0).routes().get(0);
    assertThat(route.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(route.retry().perTryTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(route.retry().initialBackoff()).isEqualTo(Duration.ofNanos(500_000));
    assertThat(route.retry().maxBackoff()).isEqualTo(Duration.ofSeconds(90));
    assertThat(route.hedging().delay()).isZero();
    assertThat(config.clusters().get(0).connectTimeout()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void aDurationWithoutAUnitIsAnErrorThatSaysToAddOne() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          a: {connectTimeout: 5}
          b: {connectTimeout: 1.5}
          c: {connectTimeout: 5 seconds}
          d: {connectTimeout: 5d}
        """);

    assertThat(e.violations())
        .extracting(ConfigViolation::message)
        .containsExactly(
            "needs a unit, for example '5s' (units: ns, us, ms, s, m, h); was '5'",
            "needs a unit, for example '250ms' (units: ns, us, ms, s, m, h); was '1.5'",
            "must be a duration such as '250ms', '1.5s', '2m' or '1h'; was '5 seconds'",
            "has the unknown unit 'd'; use ns, us, ms, s, m or h; was '5d'");
  }

  @Test
  void hugeNumbersAreOutOfRangeNotOverflowed() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          c:
            endpoints: [{address: "a:1", weight: 99999999999999999999999}]
            circuitBreakers: {maxRequests: 2147483648}
            retryBudget: {percent: 1e400}
        """);

    assertThat(e.violations())
        .extracting(ConfigViolation::message)
        .containsExactly(
            "is too large: the most allowed is 2147483647, was '99999999999999999999999'",
            "is too large: the most allowed is 2147483647, was '2147483648'",
            "must be from 0 to 1000, was Infinity");
  }

  @Test
  void integersAreDecimalOnly() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          c: {endpoints: [{address: "a:1", weight: 0x1F}, {address: "b:1", weight: 017}, {address: "c:1", weight: 1:30}]}
        """);

    assertThat(e.violations())
        .extracting(ConfigViolation::message)
        .containsExactly(
            "must be a decimal integer, was '0x1F'",
            "must be a decimal integer, was '017'",
            "must be a decimal integer, was '1:30'");
    assertThat(
            read("clusters: {c: {endpoints: [{address: \"a:1\", weight: 1_000}]}}\n")
                .clusters()
                .get(0)
                .endpoints()
                .get(0)
                .weight())
        .isEqualTo(1000);
  }

  @Test
  void aNullValueIsAnErrorNotTheDefault() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          c: {connectTimeout: ~}
        """);

    assertThat(only(e).message())
        .isEqualTo("has no value; give one, or leave the key out to use the default");
  }

  @Test
  void stringsTakeAnyScalarAsWritten() {
    MeshConfig config =
        read(
            """
        version: 1.10
        clusters:
          c:
            endpoints: [{address: "a:1", labels: {version: 2, canary: yes, date: 2026-11-27}}]
        """);

    assertThat(config.version()).isEqualTo("1.10");
    assertThat(config.clusters().get(0).endpoints().get(0).labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("version", "2", "canary", "yes", "date", "2026-11-27"));
  }

  @Test
  void theVersionIsTheFilesOrTheContentHash() throws Exception {
    String yaml = "clusters: {c: {}}\n";
    byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

    assertThat(MeshConfigYaml.read(bytes, "mesh.yaml").version())
        .isEqualTo("sha256:" + sha.substring(0, 12));
    assertThat(read("version: \"2026-11-27.1\"\n" + yaml).version()).isEqualTo("2026-11-27.1");
  }

  @Test
  void defaultsAreTheModelsDefaults() {
    MeshConfig config =
        read(
            """
        services:
          s:
            routes:
              - destinations: [{cluster: c}]
              - destinations: [{cluster: c}]
                retry: {}
        clusters:
          c:
            endpoints: [{address: "a:1"}]
        """);

    Route first = config.services().get(0).routes().get(0);
    assertThat(first)
        .isEqualTo(
            Route.builder("route-0")
                .destinations(dev.weft.mesh.api.config.Destination.of("c"))
                .build());
    assertThat(first.match()).isEqualTo(RouteMatch.ANY);
    Route second = config.services().get(0).routes().get(1);
    assertThat(second.name()).isEqualTo("route-1");
    assertThat(second.retry()).isEqualTo(dev.weft.mesh.api.config.RetryPolicy.builder().build());
    assertThat(config.clusters().get(0))
        .isEqualTo(Cluster.builder("c").endpoints(Endpoint.of("a", 1)).build());
  }

  @Test
  void outlierDetectionIsOnWhenWrittenUnlessDisabledAndEjectionKindsLikewise() {
    MeshConfig config =
        read(
            """
        clusters:
          on: {outlierDetection: {successRate: {minimumHosts: 3}}}
          off: {outlierDetection: {enabled: false, interval: 1s}}
          absent: {}
        """);

    OutlierDetection on = config.clusters().get(0).outlierDetection();
    assertThat(on.enabled()).isTrue();
    assertThat(on.successRate()).isEqualTo(new OutlierDetection.SuccessRate(3, 100, 1.9, 100));
    assertThat(on.failurePercentage()).isEqualTo(OutlierDetection.FailurePercentage.DISABLED);
    assertThat(config.clusters().get(1).outlierDetection())
        .isEqualTo(
            OutlierDetection.builder().enabled(false).interval(Duration.ofSeconds(1)).build());
    assertThat(config.clusters().get(2).outlierDetection()).isEqualTo(OutlierDetection.DISABLED);
  }

  @Test
  void retryConditionsTakeAListOrEnvoysCommaSeparatedString() {
    MeshConfig config =
        read(
            """
        services:
          s:
            routes:
              - destinations: [{cluster: c}]
                retry: {retryOn: "5xx, reset,gateway-error"}
              - destinations: [{cluster: c}]
                retry: {retryOn: [5XX, unavailable]}
        clusters: {c: {}}
        """);

    assertThat(config.services().get(0).routes().get(0).retry().retryOn())
        .containsExactlyInAnyOrder(RetryOn.FIVE_XX, RetryOn.RESET, RetryOn.GATEWAY_ERROR);
    assertThat(config.services().get(0).routes().get(1).retry().retryOn())
        .containsExactlyInAnyOrder(RetryOn.FIVE_XX, RetryOn.UNAVAILABLE);
  }

  @Test
  void enumsAreCaseInsensitiveAndUnknownOnesSuggest() {
    MeshConfig config =
        read(
            """
        clusters:
          c:
            endpoints: [{address: "a:1", health: HEALTHY}]
            tls: {mode: Mutual}
        """);
    assertThat(config.clusters().get(0).endpoints().get(0).health())
        .isEqualTo(HealthStatus.HEALTHY);
    assertThat(config.clusters().get(0).tls().mode()).isEqualTo(TlsSettings.Mode.MUTUAL);

    InvalidConfigException e =
        rejection(
            """
        clusters:
          c:
            endpoints: [{address: "a:1", health: helthy}]
        """);
    assertThat(only(e).message())
        .isEqualTo(
            "must be one of unknown, healthy, unhealthy, draining, timeout, degraded; was 'helthy' (did you mean 'healthy'?)");
  }

  @Test
  void loadBalancingTakesAPolicyNameAsShorthandAndFreeFormOptions() {
    MeshConfig config =
        read(
            """
        clusters:
          a: {loadBalancing: least_request}
          b:
            loadBalancing:
              policy: ring_hash
              options: {minRingSize: 1024, big: 5000000000, ratio: 0.5, on: true, name: x, none: ~, list: [1, {k: v}]}
        """);

    assertThat(config.clusters().get(0).loadBalancing())
        .isEqualTo(LoadBalancing.of(LoadBalancing.LEAST_REQUEST));
    assertThat(config.clusters().get(1).loadBalancing().options())
        .containsEntry("minRingSize", 1024)
        .containsEntry("big", 5_000_000_000L)
        .containsEntry("ratio", 0.5)
        .containsEntry("on", true)
        .containsEntry("name", "x")
        .containsEntry("none", null)
        .containsEntry("list", List.of(1, Map.of("k", "v")));
  }

  @Test
  void addressesAreHostColonPortWithIpv6InBrackets() {
    MeshConfig config =
        read(
            """
        clusters:
          c:
            endpoints: [{address: "[::1]:9081"}, {address: "reviews.default.svc:80"}]
        """);
    assertThat(config.clusters().get(0).endpoints())
        .extracting(Endpoint::host, Endpoint::port)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("::1", 9081),
            org.assertj.core.groups.Tuple.tuple("reviews.default.svc", 80));

    InvalidConfigException e =
        rejection(
            """
        clusters:
          c:
            endpoints: [{address: "a:"}, {address: "a:0"}, {address: "[::1]"}]
        """);
    assertThat(e.violations())
        .extracting(ConfigViolation::message)
        .containsExactly(
            "must end with a port number from 1 to 65535; was 'a:'",
            "must be from 1 to 65535, was 0",
            "must be [host]:port when it starts with '[', for example [::1]:9081; was '[::1]'");
  }

  @Test
  void headerMatchesNeedExactlyOneKind() {
    InvalidConfigException e =
        rejection(
            """
        services:
          s:
            routes:
              - destinations: [{cluster: c}]
                match:
                  headers:
                    - {name: a}
                    - {name: b, exact: x, prefix: y}
                    - {name: c, present: false}
                    - {name: d, range: {start: 5, end: 5}}
        clusters: {c: {}}
        """);

    assertThat(e.violations())
        .containsExactly(
            new ConfigViolation(
                "mesh.yaml:7:15",
                "services.s.routes[0].match.headers[0]",
                "needs one of the keys exact, prefix, suffix, contains, regex, present or range"),
            new ConfigViolation(
                "mesh.yaml:8:35",
                "services.s.routes[0].match.headers[1].prefix",
                "give only one of exact, prefix, suffix, contains, regex, present or range; this has both 'exact' and 'prefix'"),
            new ConfigViolation(
                "mesh.yaml:9:25",
                "services.s.routes[0].match.headers[2].present",
                "must be true; to match requests that lack the header, write 'present: true' with 'invert: true'"),
            new ConfigViolation(
                "mesh.yaml:10:43",
                "services.s.routes[0].match.headers[3].range.end",
                "must be greater than rangeStart (5), was 5"));
  }

  // ---- the YAML itself

  @Test
  void badUtf8IsReportedWithItsByteOffset() {
    byte[] content = "clusters:\n  c: {}\n  d\u00e9: {}\n".getBytes(StandardCharsets.UTF_8);
    content[content.length - 6] = (byte) 0xFF; // the second byte of 'é'

    ConfigViolation v = only(rejection(content));

    assertThat(v.location()).isEqualTo("mesh.yaml:3:4");
    assertThat(v.message())
        .isEqualTo(
            "is not valid UTF-8: bad byte sequence 0xC3 at byte offset 21; save the file as UTF-8");
  }

  @Test
  void syntaxErrorsAreLocated() {
    ConfigViolation v = only(rejection("clusters: [1, 2\n"));

    assertThat(v.location()).isEqualTo("mesh.yaml:2:1");
    assertThat(v.message())
        .isEqualTo(
            "invalid YAML: while parsing a flow sequence (from line 1, column 11): expected ',' or ']', but got <stream end>");
  }

  @Test
  void duplicateKeysAreErrors() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          c: {}
          c: {}
        """);

    assertThat(only(e))
        .isEqualTo(
            new ConfigViolation(
                "mesh.yaml:3:3",
                "clusters.c",
                "is given twice (first at line 2); give each key once"));
  }

  @Test
  void onlyPlainDataIsAllowed() {
    InvalidConfigException e =
        rejection(
            """
        version: !!binary aGVsbG8=
        clusters:
          c: !!set {a, b}
          d: !custom {}
        """);

    assertThat(e.violations())
        .extracting(ConfigViolation::message)
        .containsExactly(
            "has the tag 'tag:yaml.org,2002:binary', but the file may hold only plain data (strings, numbers, booleans, lists and mappings)",
            "has the tag 'tag:yaml.org,2002:set', but the file may hold only plain data (strings, numbers, booleans, lists and mappings)",
            "has the tag '!custom', but the file may hold only plain data (strings, numbers, booleans, lists and mappings)");
  }

  @Test
  void globalTagsThatNameJavaOrPythonTypesAreRefusedByTheParser() {
    ConfigViolation v =
        only(rejection("clusters:\n  c: {connectTimeout: !!python/object:os.system 1s}\n"));

    assertThat(v.location()).isEqualTo("mesh.yaml:2:23");
    assertThat(v.message())
        .isEqualTo(
            "invalid YAML: Global tag is not allowed: tag:yaml.org,2002:python/object:os.system");
  }

  @Test
  void mergeKeysAreNotSupported() {
    InvalidConfigException e =
        rejection(
            """
        clusters:
          a: &base {connectTimeout: 1s}
          b:
            <<: *base
        """);

    assertThat(only(e).message())
        .isEqualTo("merge keys ('<<') are not supported; write the keys out in full");
  }

  @Test
  void aliasesOfPlainValuesAreFine() {
    MeshConfig config =
        read(
            """
        clusters:
          a: {endpoints: [{address: "a:1", labels: &labels {app: x}}]}
          b: {endpoints: [{address: "b:1", labels: *labels}]}
        """);

    assertThat(config.clusters().get(1).endpoints().get(0).labels()).isEqualTo(Map.of("app", "x"));
  }

  @Test
  void freeFormValuesSharedThroughAnAliasAreWrittenOnceWithAnAnchor() {
    MeshConfig config =
        read(
            """
        clusters:
          c:
            loadBalancing:
              policy: x
              options: {a: &big [1, 2, 3, 4, 5, 6, 7, 8], b: *big, c: *big}
          d:
            loadBalancing: {policy: x, options: {again: *big}}
        """);

    String written = MeshConfigYaml.write(config);

    assertThat(written).contains("&id001").contains("*id001").containsOnlyOnce("- 8");
    assertThat(MeshConfigYaml.read(written.getBytes(StandardCharsets.UTF_8), "written.yaml"))
        .isEqualTo(config);
  }

  @Test
  void anEmptyFileIsRejectedRatherThanTakenAsAnEmptyMesh() {
    assertThat(only(rejection("")).message()).startsWith("the file is empty");
    assertThat(only(rejection("# nothing here\n")).message()).startsWith("the file is empty");
    assertThat(read("clusters: {}\n").clusters()).isEmpty();
  }

  @Test
  void theRootMustBeAMappingAndOneDocument() {
    assertThat(only(rejection("- a\n")).message())
        .startsWith(
            "must be a mapping with the keys version, services, clusters, authorizationPolicies,"
                + " pathNormalization, requestAuthentications; was a list");
    assertThat(only(rejection("clusters: {}\n---\nclusters: {}\n")).message())
        .contains("expected a single document");
  }

  @Test
  void controlCharactersInTheFileAreLocated() {
    ConfigViolation v = only(rejection("clusters:\n  c\u0001: {}\n"));

    assertThat(v.location()).isEqualTo("mesh.yaml:2:4");
    assertThat(v.message()).startsWith("contains the character U+0001");
  }

  @Test
  @Timeout(10)
  void anAliasBombIsStoppedByTheValueBudget() {
    StringBuilder yaml =
        new StringBuilder("clusters:\n  c:\n    loadBalancing:\n      policy: x\n      options:\n");
    yaml.append("        l0: &l0 [a, b, c]\n");
    for (int i = 1; i < 16; i++) {
      yaml.append("        l")
          .append(i)
          .append(": &l")
          .append(i)
          .append(" [*l")
          .append(i - 1)
          .append(", *l")
          .append(i - 1)
          .append(", *l")
          .append(i - 1)
          .append("]\n");
    }

    ConfigViolation v = only(rejection(yaml.toString()));

    assertThat(v.message())
        .isEqualTo("holds more than 1000000 values once its aliases are expanded");
  }

  @Test
  void aliasLimitsNestingLimitsAndSelfReferencesAreErrors() {
    StringBuilder manyAliases =
        new StringBuilder("clusters:\n  c: {loadBalancing: {policy: x, options: {a: &a [1], b: [");
    for (int i = 0; i < 60; i++) {
      manyAliases.append("*a, ");
    }
    manyAliases.append("]}}}\n");
    assertThat(only(rejection(manyAliases.toString())).message())
        .contains("Number of aliases for non-scalar nodes exceeds the specified max=50");

    assertThat(only(rejection("clusters: " + "[".repeat(60) + "]".repeat(60) + "\n")).message())
        .contains("Nesting Depth exceeded max 50");

    assertThat(
            only(rejection(
                    "clusters:\n  c: {loadBalancing: {policy: x, options: &o {self: *o}}}\n"))
                .message())
        .isEqualTo("contains itself through an alias");
  }

  @Test
  void tooLargeFilesAreRejectedUnread() {
    byte[] huge = new byte[YamlLoading.MAX_BYTES + 1];
    java.util.Arrays.fill(huge, (byte) ' ');

    assertThat(only(rejection(huge)).message())
        .isEqualTo("is longer than 12582912 bytes, the most a mesh configuration may have");
  }

  @Test
  void manyProblemsAreCappedWithACount() {
    StringBuilder yaml = new StringBuilder("clusters:\n");
    for (int i = 0; i < 150; i++) {
      yaml.append("  c").append(i).append(": {bad: 1}\n");
    }

    InvalidConfigException e = rejection(yaml.toString());

    assertThat(e.violations()).hasSize(ReadContext.MAX_REPORTED + 1);
    assertThat(e.violations().get(ReadContext.MAX_REPORTED).message())
        .isEqualTo("and 50 more problems not listed");
  }

  // ---- problems found later, by the mesh

  @Test
  void violationsOfModelPathsFoundLaterAreLocatedInTheFile() {
    ParsedConfig parsed =
        MeshConfigYaml.parse(
            """
        clusters:
          a: {}
          b:
            loadBalancing:
              policy: least_request
              options:
                choiceCount: 1
        """
                .getBytes(StandardCharsets.UTF_8),
            "mesh.yaml");

    InvalidConfigException located =
        parsed.locate(
            new InvalidConfigException(
                List.of(
                    ConfigViolation.of(
                        "clusters[1].loadBalancing.options.choiceCount",
                        "must be at least 2, was 1"),
                    ConfigViolation.of("clusters[1].loadBalancing.policy", "is not a known policy"),
                    ConfigViolation.of("clusters[0].loadBalancing.policy", "is not a known policy"),
                    ConfigViolation.of("", "is not supported"))));

    assertThat(located.source()).isEqualTo("mesh.yaml");
    assertThat(located.violations())
        .containsExactly(
            new ConfigViolation(
                "mesh.yaml:7:9",
                "clusters.b.loadBalancing.options.choiceCount",
                "must be at least 2, was 1"),
            new ConfigViolation(
                "mesh.yaml:5:7", "clusters.b.loadBalancing.policy", "is not a known policy"),
            new ConfigViolation(
                "mesh.yaml:2:3", "clusters.a.loadBalancing.policy", "is not a known policy"),
            new ConfigViolation("mesh.yaml:1:1", "", "is not supported"));
  }

  @Test
  void readingAPathUsesItsFileNameInLocations(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("bookinfo.yaml");
    java.nio.file.Files.writeString(file, "clusters: {c: {connectTimeout: 0s}}\n");

    assertThatThrownBy(() -> MeshConfigYaml.read(file))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "bookinfo.yaml:1:16: clusters.c.connectTimeout: must be positive, was PT0S");
  }

  @Test
  void routesAndClustersNameResilience4jInstancesAndTheNamesSurviveARoundTrip() {
    MeshConfig config =
        read(
            """
            services:
              reviews:
                routes:
                  - destinations: [{cluster: reviews}]
                    resilience4j: {circuitBreaker: reviews, bulkhead: reviews-bh}
            clusters:
              reviews:
                resilience4j: {rateLimiter: reviews}
            """);
    Route route = config.services().get(0).routes().get(0);
    assertThat(route.resilience4j())
        .isEqualTo(new Resilience4jInstances("reviews", "reviews-bh", ""));
    assertThat(config.clusters().get(0).resilience4j())
        .isEqualTo(new Resilience4jInstances("", "", "reviews"));
    assertThat(read(MeshConfigYaml.write(config))).isEqualTo(config);
    // Left out, a route or cluster names none.
    assertThat(read("clusters: {ratings: {}}").clusters().get(0).resilience4j())
        .isEqualTo(Resilience4jInstances.NONE);
  }
}
