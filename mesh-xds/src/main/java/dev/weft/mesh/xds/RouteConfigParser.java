package dev.weft.mesh.xds;

import com.google.protobuf.Any;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.xds.XdsValues.RouteConfig;
import dev.weft.mesh.xds.XdsValues.VirtualHost;
import dev.weft.mesh.xds.XdsValues.XdsRoute;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a RouteConfiguration (from RDS or inline in a listener) into Weft routes, after gRFC A28
 * (matching), A31 (timeouts), A33 (faults) and A44 (retries).
 */
final class RouteConfigParser {
  static final String FAULT_TYPE =
      "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault";
  static final String FILTER_CONFIG_TYPE = "type.googleapis.com/envoy.config.route.v3.FilterConfig";
  private static final long UINT32_MAX = 0xFFFF_FFFFL;

  private RouteConfigParser() {}

  static RouteConfig parse(RouteConfiguration rc, String field) {
    List<VirtualHost> hosts = new ArrayList<>();
    for (int v = 0; v < rc.getVirtualHostsCount(); v++) {
      hosts.add(virtualHost(rc.getVirtualHosts(v), field + "virtual_hosts[" + v + "]"));
    }
    return new RouteConfig(rc.getName(), hosts);
  }

  private static VirtualHost virtualHost(
      io.envoyproxy.envoy.config.route.v3.VirtualHost vh, String field) {
    if (vh.getDomainsCount() == 0) {
      throw FieldException.of(field + ".domains", "must list at least one domain");
    }
    RetryPolicy hostRetry =
        vh.hasRetryPolicy() ? retry(vh.getRetryPolicy(), field + ".retry_policy") : null;
    List<XdsRoute> routes = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int r = 0; r < vh.getRoutesCount(); r++) {
      XdsRoute route = route(vh.getRoutes(r), r, field + ".routes[" + r + "]", hostRetry, names);
      if (route != null) {
        routes.add(route);
      }
    }
    return new VirtualHost(
        vh.getName(),
        vh.getDomainsList(),
        routes,
        faults(vh.getTypedPerFilterConfigMap(), field + ".typed_per_filter_config"));
  }

  /** A route, or null when gRPC would skip it (it can never match). */
  private static XdsRoute route(
      io.envoyproxy.envoy.config.route.v3.Route r,
      int index,
      String field,
      RetryPolicy hostRetry,
      Set<String> names) {
    io.envoyproxy.envoy.config.route.v3.RouteMatch m = r.getMatch();
    if (m.getQueryParametersCount() > 0) {
      return null;
    }
    if (m.hasRuntimeFraction()) {
      double pct = Protos.percent(m.getRuntimeFraction().getDefaultValue());
      if (pct < 100) {
        throw FieldException.of(
            field + ".match.runtime_fraction",
            "fractional route matching is not supported (was %s%%)",
            pct);
      }
    }
    PathMatch path = path(m, field + ".match");
    if (path == null) {
      return null;
    }
    List<HeaderMatch> headers = new ArrayList<>();
    List<String> methods = new ArrayList<>();
    for (int h = 0; h < m.getHeadersCount(); h++) {
      HeaderMatcher hm = m.getHeaders(h);
      String hf = field + ".match.headers[" + h + "]";
      if (hm.getName().endsWith("-bin")) {
        continue;
      }
      if (hm.getName().equals(":method") && !hm.getInvertMatch() && exactValue(hm) != null) {
        methods.add(exactValue(hm));
        continue;
      }
      if (hm.getName().startsWith(":")) {
        throw FieldException.of(
            hf + ".name", "pseudo-header '%s' is not supported (only :method exact)", hm.getName());
      }
      headers.add(header(hm, hf));
    }
    // Header matchers must all match: no request has two methods, so such a route never matches. It
    // is
    // still read to the end, so that its other fields are checked like any route's.
    boolean neverMatches = methods.stream().distinct().count() > 1;
    List<String> method = neverMatches ? List.of() : methods.stream().distinct().toList();
    RouteMatch match =
        FieldException.model(field + ".match", () -> new RouteMatch(path, method, headers));

    if (r.getActionCase() != io.envoyproxy.envoy.config.route.v3.Route.ActionCase.ROUTE) {
      throw FieldException.of(
          field + ".action", "only a route action is supported, was %s", r.getActionCase());
    }
    RouteAction a = r.getRoute();
    String af = field + ".route";
    List<Destination> destinations = new ArrayList<>();
    switch (a.getClusterSpecifierCase()) {
      case CLUSTER -> {
        if (a.getCluster().isEmpty()) {
          throw FieldException.of(af + ".cluster", "must not be empty");
        }
        destinations.add(
            FieldException.model(af + ".cluster", () -> Destination.of(a.getCluster())));
      }
      case WEIGHTED_CLUSTERS -> {
        long total = 0;
        for (int w = 0; w < a.getWeightedClusters().getClustersCount(); w++) {
          WeightedCluster.ClusterWeight cw = a.getWeightedClusters().getClusters(w);
          String wf = af + ".weighted_clusters.clusters[" + w + "]";
          long weight = cw.hasWeight() ? Integer.toUnsignedLong(cw.getWeight().getValue()) : 0;
          total += weight;
          if (weight > Integer.MAX_VALUE) {
            throw FieldException.of(
                wf + ".weight", "must not exceed %d, was %d", Integer.MAX_VALUE, weight);
          }
          int wi = (int) weight;
          destinations.add(FieldException.model(wf, () -> Destination.of(cw.getName(), "", wi)));
        }
        if (destinations.isEmpty()) {
          throw FieldException.of(af + ".weighted_clusters.clusters", "must not be empty");
        }
        if (total == 0 || total > UINT32_MAX) {
          throw FieldException.of(
              af + ".weighted_clusters",
              "weights must add up to between 1 and %d, was %d",
              UINT32_MAX,
              total);
        }
      }
      default ->
          throw FieldException.of(
              af + ".cluster_specifier",
              "%s is not supported (use cluster or weighted_clusters)",
              a.getClusterSpecifierCase());
    }

    Duration timeout = Duration.ZERO;
    boolean hasTimeout = false;
    if (a.hasMaxStreamDuration() && a.getMaxStreamDuration().hasMaxStreamDuration()) {
      timeout =
          Protos.duration(
              a.getMaxStreamDuration().getMaxStreamDuration(),
              af + ".max_stream_duration.max_stream_duration");
      hasTimeout = true;
    } else if (a.hasTimeout()) {
      timeout = Protos.duration(a.getTimeout(), af + ".timeout");
      hasTimeout = true;
    }
    RetryPolicy retry =
        a.hasRetryPolicy() ? retry(a.getRetryPolicy(), af + ".retry_policy") : hostRetry;
    List<HashPolicy> hashes = new ArrayList<>();
    for (int h = 0; h < a.getHashPolicyCount(); h++) {
      RouteAction.HashPolicy hp = a.getHashPolicy(h);
      if (hp.getPolicySpecifierCase() == RouteAction.HashPolicy.PolicySpecifierCase.HEADER) {
        String name = hp.getHeader().getHeaderName();
        boolean terminal = hp.getTerminal();
        hashes.add(
            FieldException.model(
                af + ".hash_policy[" + h + "].header.header_name",
                () ->
                    new HashPolicy(
                        HashPolicy.Kind.HEADER,
                        name.toLowerCase(java.util.Locale.ROOT),
                        terminal)));
      }
      // Other hash sources (cookies, source IP, filter state) have no Weft equivalent; gRPC ignores
      // most too.
    }
    List<MirrorPolicy> mirrors = new ArrayList<>();
    for (int i = 0; i < a.getRequestMirrorPoliciesCount(); i++) {
      RouteAction.RequestMirrorPolicy mp = a.getRequestMirrorPolicies(i);
      double pct =
          mp.hasRuntimeFraction()
              ? Protos.percent(mp.getRuntimeFraction().getDefaultValue())
              : 100.0;
      mirrors.add(
          FieldException.model(
              af + ".request_mirror_policies[" + i + "]",
              () -> new MirrorPolicy(mp.getCluster(), "", pct)));
    }
    String name = r.getName().isEmpty() ? "route-" + index : r.getName();
    if (!neverMatches && !names.add(name)) {
      name = name + "-" + index;
      names.add(name);
    }
    String routeName = name.replaceAll("\\s", "_");
    Duration t = timeout;
    Route route =
        FieldException.model(
            field,
            () ->
                Route.builder(routeName)
                    .match(match)
                    .destinations(destinations)
                    .timeout(t)
                    .retry(retry == null ? RetryPolicy.NONE : retry)
                    .hashPolicies(hashes)
                    .mirrors(mirrors)
                    .build());
    XdsRoute read =
        new XdsRoute(
            route,
            hasTimeout,
            faults(r.getTypedPerFilterConfigMap(), field + ".typed_per_filter_config"));
    return neverMatches ? null : read;
  }

  private static PathMatch path(io.envoyproxy.envoy.config.route.v3.RouteMatch m, String field) {
    boolean ignoreCase = m.hasCaseSensitive() && !m.getCaseSensitive().getValue();
    return switch (m.getPathSpecifierCase()) {
      case PREFIX -> {
        String p = m.getPrefix();
        if (p.isEmpty()) {
          yield new PathMatch(PathMatch.Kind.PREFIX, "/", false);
        }
        // A prefix that does not start with '/' can never match a request path: gRPC ignores the
        // route.
        yield p.startsWith("/") ? new PathMatch(PathMatch.Kind.PREFIX, p, ignoreCase) : null;
      }
      case PATH ->
          m.getPath().startsWith("/")
              ? new PathMatch(PathMatch.Kind.EXACT, m.getPath(), ignoreCase)
              : null;
      case SAFE_REGEX -> {
        String regex =
            ignoreCase ? "(?i)" + m.getSafeRegex().getRegex() : m.getSafeRegex().getRegex();
        yield FieldException.model(field + ".safe_regex", () -> PathMatch.regex(regex));
      }
      default ->
          throw FieldException.of(
              field + ".path_specifier",
              "%s is not supported (use prefix, path or safe_regex)",
              m.getPathSpecifierCase());
    };
  }

  private static String exactValue(HeaderMatcher hm) {
    if (hm.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.EXACT_MATCH) {
      return hm.getExactMatch();
    }
    if (hm.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.STRING_MATCH
        && hm.getStringMatch().getMatchPatternCase() == StringMatcher.MatchPatternCase.EXACT
        && !hm.getStringMatch().getIgnoreCase()) {
      return hm.getStringMatch().getExact();
    }
    return null;
  }

  private static HeaderMatch header(HeaderMatcher hm, String field) {
    String name = hm.getName();
    boolean invert = hm.getInvertMatch();
    return FieldException.model(
        field,
        () ->
            switch (hm.getHeaderMatchSpecifierCase()) {
              case EXACT_MATCH ->
                  new HeaderMatch(
                      name, HeaderMatch.Kind.EXACT, hm.getExactMatch(), 0, 0, invert, false);
              case SAFE_REGEX_MATCH ->
                  new HeaderMatch(
                      name,
                      HeaderMatch.Kind.REGEX,
                      hm.getSafeRegexMatch().getRegex(),
                      0,
                      0,
                      invert,
                      false);
              case RANGE_MATCH ->
                  new HeaderMatch(
                      name,
                      HeaderMatch.Kind.RANGE,
                      "",
                      hm.getRangeMatch().getStart(),
                      hm.getRangeMatch().getEnd(),
                      invert,
                      false);
              // present_match: false asks for the header to be absent.
              case PRESENT_MATCH ->
                  new HeaderMatch(
                      name,
                      HeaderMatch.Kind.PRESENT,
                      "",
                      0,
                      0,
                      invert != !hm.getPresentMatch(),
                      false);
              case PREFIX_MATCH ->
                  new HeaderMatch(
                      name, HeaderMatch.Kind.PREFIX, hm.getPrefixMatch(), 0, 0, invert, false);
              case SUFFIX_MATCH ->
                  new HeaderMatch(
                      name, HeaderMatch.Kind.SUFFIX, hm.getSuffixMatch(), 0, 0, invert, false);
              case CONTAINS_MATCH ->
                  new HeaderMatch(
                      name, HeaderMatch.Kind.CONTAINS, hm.getContainsMatch(), 0, 0, invert, false);
              case STRING_MATCH -> stringMatch(name, hm.getStringMatch(), invert, field);
              case HEADERMATCHSPECIFIER_NOT_SET ->
                  new HeaderMatch(name, HeaderMatch.Kind.PRESENT, "", 0, 0, invert, false);
            });
  }

  private static HeaderMatch stringMatch(
      String name, StringMatcher sm, boolean invert, String field) {
    boolean ic = sm.getIgnoreCase();
    return switch (sm.getMatchPatternCase()) {
      case EXACT -> new HeaderMatch(name, HeaderMatch.Kind.EXACT, sm.getExact(), 0, 0, invert, ic);
      case PREFIX ->
          new HeaderMatch(name, HeaderMatch.Kind.PREFIX, sm.getPrefix(), 0, 0, invert, ic);
      case SUFFIX ->
          new HeaderMatch(name, HeaderMatch.Kind.SUFFIX, sm.getSuffix(), 0, 0, invert, ic);
      case CONTAINS ->
          new HeaderMatch(name, HeaderMatch.Kind.CONTAINS, sm.getContains(), 0, 0, invert, ic);
      case SAFE_REGEX ->
          new HeaderMatch(
              name, HeaderMatch.Kind.REGEX, sm.getSafeRegex().getRegex(), 0, 0, invert, false);
      default ->
          throw FieldException.of(
              field + ".string_match", "%s is not supported", sm.getMatchPatternCase());
    };
  }

  /** gRFC A44: num_retries + 1 attempts, gRPC and HTTP conditions, backoff. */
  static RetryPolicy retry(io.envoyproxy.envoy.config.route.v3.RetryPolicy p, String field) {
    Set<RetryOn> on = EnumSet.noneOf(RetryOn.class);
    for (String token : p.getRetryOn().split(",")) {
      if (!token.isBlank()) {
        RetryOn.fromConfigName(token).ifPresent(on::add);
      }
    }
    if (on.isEmpty()) {
      return RetryPolicy.NONE;
    }
    long retries = p.hasNumRetries() ? Integer.toUnsignedLong(p.getNumRetries().getValue()) : 1;
    int attempts = (int) Math.min(10, retries + 1);
    Duration base = RetryPolicy.DEFAULT_INITIAL_BACKOFF;
    Duration max = RetryPolicy.DEFAULT_MAX_BACKOFF;
    if (p.hasRetryBackOff()) {
      base =
          Protos.duration(
              p.getRetryBackOff().getBaseInterval(), field + ".retry_back_off.base_interval");
      if (base.isZero()) {
        throw FieldException.of(
            field + ".retry_back_off.base_interval", "must be greater than zero");
      }
      max =
          p.getRetryBackOff().hasMaxInterval()
              ? Protos.duration(
                  p.getRetryBackOff().getMaxInterval(), field + ".retry_back_off.max_interval")
              : base.multipliedBy(10);
      if (max.compareTo(base) < 0) {
        throw FieldException.of(
            field + ".retry_back_off.max_interval", "must not be less than base_interval");
      }
    }
    Duration perTry =
        p.hasPerTryTimeout()
            ? Protos.duration(p.getPerTryTimeout(), field + ".per_try_timeout")
            : Duration.ZERO;
    Set<Integer> codes = new HashSet<>(p.getRetriableStatusCodesList());
    Duration b = base;
    Duration mx = max;
    return FieldException.model(
        field,
        () ->
            RetryPolicy.builder()
                .maxAttempts(attempts)
                .retryOn(on)
                .initialBackoff(b)
                .maxBackoff(mx)
                .perTryTimeout(perTry)
                .retriableStatusCodes(codes)
                .build());
  }

  /**
   * Fault overrides in typed_per_filter_config, by filter name; other filters' configs are ignored.
   */
  static Map<String, FaultInjection> faults(Map<String, Any> perFilter, String field) {
    Map<String, FaultInjection> out = new LinkedHashMap<>();
    perFilter.forEach(
        (filterName, any) -> {
          Any config = any;
          String f = field + "." + filterName;
          if (any.getTypeUrl().equals(FILTER_CONFIG_TYPE)) {
            config = Protos.unpack(any, FilterConfig.class, f).getConfig();
          }
          if (config.getTypeUrl().equals(FAULT_TYPE)) {
            out.put(filterName, fault(Protos.unpack(config, HTTPFault.class, f), f));
          }
        });
    return out;
  }

  /** gRFC A33. */
  static FaultInjection fault(HTTPFault f, String field) {
    FaultInjection.Delay delay = FaultInjection.Delay.NONE;
    if (f.hasDelay()) {
      FaultDelay d = f.getDelay();
      if (d.getFaultDelaySecifierCase() != FaultDelay.FaultDelaySecifierCase.FIXED_DELAY) {
        throw FieldException.of(
            field + ".delay",
            "only fixed_delay is supported, was %s",
            d.getFaultDelaySecifierCase());
      }
      Duration fixed = Protos.duration(d.getFixedDelay(), field + ".delay.fixed_delay");
      double pct = d.hasPercentage() ? Protos.percent(d.getPercentage()) : 100.0;
      delay = FieldException.model(field + ".delay", () -> new FaultInjection.Delay(fixed, pct));
    }
    FaultInjection.Abort abort = FaultInjection.Abort.NONE;
    if (f.hasAbort()) {
      FaultAbort a = f.getAbort();
      double pct = a.hasPercentage() ? Protos.percent(a.getPercentage()) : 100.0;
      abort =
          switch (a.getErrorTypeCase()) {
            case HTTP_STATUS ->
                FieldException.model(
                    field + ".abort.http_status",
                    () -> new FaultInjection.Abort(a.getHttpStatus(), "", pct));
            case GRPC_STATUS -> {
              int code = a.getGrpcStatus();
              if (code < 0 || code > 16) {
                throw FieldException.of(
                    field + ".abort.grpc_status",
                    "must be a gRPC status code from 0 to 16, was %d",
                    code);
              }
              String statusName = io.grpc.Status.fromCodeValue(code).getCode().name();
              yield FieldException.model(
                  field + ".abort.grpc_status",
                  () -> new FaultInjection.Abort(503, statusName, pct));
            }
            default ->
                throw FieldException.of(
                    field + ".abort",
                    "%s is not supported (use http_status or grpc_status)",
                    a.getErrorTypeCase());
          };
    }
    List<HeaderMatch> headers = new ArrayList<>();
    for (int i = 0; i < f.getHeadersCount(); i++) {
      headers.add(header(f.getHeaders(i), field + ".headers[" + i + "]"));
    }
    FaultInjection.Delay d = delay;
    FaultInjection.Abort ab = abort;
    return FieldException.model(field, () -> new FaultInjection(d, ab, headers));
  }
}
