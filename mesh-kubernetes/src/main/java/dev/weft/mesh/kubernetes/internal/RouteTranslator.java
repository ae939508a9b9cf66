package dev.weft.mesh.kubernetes.internal;

import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCMethodMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRetry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Translates Gateway API {@code HTTPRoute}s and {@code GRPCRoute}s whose {@code parentRefs} name a
 * Service (the GAMMA profile) into mesh routes. A route that cannot be applied as written is
 * rejected whole with the field that makes it so; nothing is dropped silently. {@code hostnames}
 * have no effect on mesh routes. Parent references to anything but a Service (Gateways) are not
 * mesh routes and are ignored.
 *
 * <p>Pure: reads its inputs, keeps nothing.
 */
public final class RouteTranslator {
  /** Finds the cluster of a Service port. */
  public interface Backends {
    /**
     * The cluster name of Service {@code namespace/name} at {@code port} (its first port when
     * null), or empty when there is no such Service or port.
     */
    Optional<String> cluster(String namespace, String name, Integer port);
  }

  private static final int RANK_EXACT = 3;
  private static final int RANK_REGEX = 2;
  private static final int RANK_PREFIX = 1;
  private static final int MAX_ATTEMPTS = 10;

  private RouteTranslator() {}

  /** Whether any parent reference of the route names a Service. */
  public static boolean isMeshRoute(List<ParentReference> parents) {
    return parents != null && parents.stream().anyMatch(RouteTranslator::isServiceParent);
  }

  public static TranslatedRoute http(HTTPRoute route, Backends backends)
      throws RouteRejectedException {
    String ns = route.getMetadata().getNamespace();
    String key = "HTTPRoute/" + ns + "/" + route.getMetadata().getName();
    List<String> parents = parents(ns, route.getSpec().getParentRefs());
    List<HTTPRouteRule> rules = orEmpty(route.getSpec().getRules());
    List<TranslatedRoute.Entry> entries = new ArrayList<>();
    long created = created(route);
    for (int r = 0; r < rules.size(); r++) {
      HTTPRouteRule rule = rules.get(r);
      String rulePath = "spec.rules[" + r + "]";
      List<Destination> destinations = httpBackends(ns, rule.getBackendRefs(), backends, rulePath);
      List<MirrorPolicy> mirrors = new ArrayList<>();
      List<HTTPRouteFilter> filters = orEmpty(rule.getFilters());
      for (int f = 0; f < filters.size(); f++) {
        mirrors.addAll(httpFilter(ns, filters.get(f), backends, rulePath + ".filters[" + f + "]"));
      }
      Duration timeout = Duration.ZERO;
      Duration perTry = Duration.ZERO;
      HTTPRouteTimeouts timeouts = rule.getTimeouts();
      if (timeouts != null) {
        if (timeouts.getRequest() != null) {
          timeout = GatewayDurations.parse(timeouts.getRequest(), rulePath + ".timeouts.request");
        }
        if (timeouts.getBackendRequest() != null) {
          perTry =
              GatewayDurations.parse(
                  timeouts.getBackendRequest(), rulePath + ".timeouts.backendRequest");
          if (!timeout.isZero() && perTry.compareTo(timeout) > 0) {
            throw new RouteRejectedException(
                rulePath + ".timeouts.backendRequest",
                "must not be longer than timeouts.request (" + timeouts.getRequest() + ")");
          }
        }
      }
      RetryPolicy retry = retry(rule.getRetry(), perTry, rulePath + ".retry");
      List<HTTPRouteMatch> matches = orEmpty(rule.getMatches());
      if (matches.isEmpty()) {
        matches = List.of(new HTTPRouteMatch(null, null, null, null));
      }
      for (int m = 0; m < matches.size(); m++) {
        HTTPRouteMatch match = matches.get(m);
        String matchPath = rulePath + ".matches[" + m + "]";
        PathRank rank = new PathRank(RANK_PREFIX, 1);
        PathMatch path = httpPath(match.getPath(), matchPath + ".path", rank);
        List<HeaderMatch> headers = new ArrayList<>();
        List<HTTPHeaderMatch> hm = orEmpty(match.getHeaders());
        for (int h = 0; h < hm.size(); h++) {
          HTTPHeaderMatch header = hm.get(h);
          headers.add(
              header(
                  header.getName(),
                  header.getType(),
                  header.getValue(),
                  matchPath + ".headers[" + h + "]"));
        }
        if (match.getQueryParams() != null && !match.getQueryParams().isEmpty()) {
          throw new RouteRejectedException(
              matchPath + ".queryParams",
              "query parameter matches are not supported by Weft's client-side routes");
        }
        List<String> methods =
            match.getMethod() == null
                ? List.of()
                : List.of(match.getMethod().toUpperCase(Locale.ROOT));
        String routeName = routeName(key, r, m);
        Duration routeTimeout = timeout;
        Route built =
            build(
                matchPath,
                () ->
                    Route.builder(routeName)
                        .match(new RouteMatch(path, methods, headers))
                        .destinations(destinations)
                        .timeout(routeTimeout)
                        .retry(retry)
                        .mirrors(mirrors)
                        .build());
        entries.add(
            new TranslatedRoute.Entry(
                built,
                rank.rank,
                rank.length,
                !methods.isEmpty(),
                headers.size(),
                created,
                key,
                r,
                m));
      }
    }
    return new TranslatedRoute(
        "HTTPRoute",
        ns,
        route.getMetadata().getName(),
        route.getMetadata().getResourceVersion(),
        parents,
        entries);
  }

  public static TranslatedRoute grpc(GRPCRoute route, Backends backends)
      throws RouteRejectedException {
    String ns = route.getMetadata().getNamespace();
    String key = "GRPCRoute/" + ns + "/" + route.getMetadata().getName();
    List<String> parents = parents(ns, route.getSpec().getParentRefs());
    List<GRPCRouteRule> rules = orEmpty(route.getSpec().getRules());
    List<TranslatedRoute.Entry> entries = new ArrayList<>();
    long created = created(route);
    for (int r = 0; r < rules.size(); r++) {
      GRPCRouteRule rule = rules.get(r);
      String rulePath = "spec.rules[" + r + "]";
      List<Destination> destinations = grpcBackends(ns, rule.getBackendRefs(), backends, rulePath);
      List<GRPCRouteFilter> filters = orEmpty(rule.getFilters());
      List<MirrorPolicy> mirrors = new ArrayList<>();
      for (int f = 0; f < filters.size(); f++) {
        GRPCRouteFilter filter = filters.get(f);
        String fp = rulePath + ".filters[" + f + "]";
        if ("RequestMirror".equals(filter.getType()) && filter.getRequestMirror() != null) {
          mirrors.add(mirror(ns, filter.getRequestMirror(), backends, fp + ".requestMirror"));
        } else {
          throw unsupportedFilter(filter.getType(), fp);
        }
      }
      List<GRPCRouteMatch> matches = orEmpty(rule.getMatches());
      if (matches.isEmpty()) {
        matches = List.of(new GRPCRouteMatch(null, null));
      }
      for (int m = 0; m < matches.size(); m++) {
        GRPCRouteMatch match = matches.get(m);
        String matchPath = rulePath + ".matches[" + m + "]";
        PathRank rank = new PathRank(RANK_PREFIX, 1);
        PathMatch path = grpcMethod(match.getMethod(), matchPath + ".method", rank);
        List<HeaderMatch> headers = new ArrayList<>();
        List<GRPCHeaderMatch> hm = orEmpty(match.getHeaders());
        for (int h = 0; h < hm.size(); h++) {
          GRPCHeaderMatch header = hm.get(h);
          headers.add(
              header(
                  header.getName(),
                  header.getType(),
                  header.getValue(),
                  matchPath + ".headers[" + h + "]"));
        }
        String routeName = routeName(key, r, m);
        Route built =
            build(
                matchPath,
                () ->
                    Route.builder(routeName)
                        .match(new RouteMatch(path, List.of(), headers))
                        .destinations(destinations)
                        .mirrors(mirrors)
                        .build());
        entries.add(
            new TranslatedRoute.Entry(
                built, rank.rank, rank.length, false, headers.size(), created, key, r, m));
      }
    }
    return new TranslatedRoute(
        "GRPCRoute",
        ns,
        route.getMetadata().getName(),
        route.getMetadata().getResourceVersion(),
        parents,
        entries);
  }

  private static String routeName(String key, int rule, int match) {
    return key + "/rule-" + rule + "/match-" + match;
  }

  private interface RouteBuild {
    Route build();
  }

  private static Route build(String path, RouteBuild build) throws RouteRejectedException {
    try {
      return build.build();
    } catch (InvalidConfigException e) {
      throw new RouteRejectedException(path, e.getMessage());
    }
  }

  private static final class PathRank {
    int rank;
    int length;

    PathRank(int rank, int length) {
      this.rank = rank;
      this.length = length;
    }
  }

  private static PathMatch httpPath(HTTPPathMatch path, String field, PathRank rank)
      throws RouteRejectedException {
    if (path == null) {
      return PathMatch.ANY;
    }
    String type = path.getType() == null ? "PathPrefix" : path.getType();
    String value = path.getValue() == null ? "/" : path.getValue();
    switch (type) {
      case "Exact" -> {
        requireAbsolute(value, field);
        rank.rank = RANK_EXACT;
        rank.length = value.length();
        return PathMatch.exact(value);
      }
      case "PathPrefix" -> {
        requireAbsolute(value, field);
        rank.rank = RANK_PREFIX;
        rank.length = value.length();
        String trimmed = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        if (trimmed.isEmpty()) {
          return PathMatch.ANY;
        }
        // The Gateway API's prefix matches whole path elements: /foo takes /foo and /foo/bar, not
        // /foobar.
        return PathMatch.regex(Pattern.quote(trimmed) + "(/.*)?");
      }
      case "RegularExpression" -> {
        compile(value, field + ".value");
        rank.rank = RANK_REGEX;
        rank.length = value.length();
        return PathMatch.regex(value);
      }
      default ->
          throw new RouteRejectedException(
              field + ".type",
              "unknown path match type '"
                  + type
                  + "'; expected Exact, PathPrefix or RegularExpression");
    }
  }

  private static void requireAbsolute(String value, String field) throws RouteRejectedException {
    if (!value.startsWith("/")) {
      throw new RouteRejectedException(
          field + ".value", "must start with '/', was '" + value + "'");
    }
  }

  private static PathMatch grpcMethod(GRPCMethodMatch method, String field, PathRank rank)
      throws RouteRejectedException {
    if (method == null) {
      return PathMatch.ANY;
    }
    String type = method.getType() == null ? "Exact" : method.getType();
    String service = method.getService();
    String name = method.getMethod();
    boolean hasService = service != null && !service.isEmpty();
    boolean hasMethod = name != null && !name.isEmpty();
    if (!hasService && !hasMethod) {
      throw new RouteRejectedException(field, "must name a service, a method or both");
    }
    rank.length = (hasService ? service.length() : 0) * 1000 + (hasMethod ? name.length() : 0);
    switch (type) {
      case "Exact" -> {
        if (hasService && service.contains("/")) {
          throw new RouteRejectedException(field + ".service", "must not contain '/'");
        }
        if (hasMethod && name.contains("/")) {
          throw new RouteRejectedException(field + ".method", "must not contain '/'");
        }
        if (hasService && hasMethod) {
          rank.rank = RANK_EXACT;
          return PathMatch.exact("/" + service + "/" + name);
        }
        rank.rank = RANK_PREFIX;
        if (hasService) {
          return PathMatch.prefix("/" + service + "/");
        }
        return PathMatch.regex("/[^/]+/" + Pattern.quote(name));
      }
      case "RegularExpression" -> {
        if (hasService) {
          compile(service, field + ".service");
        }
        if (hasMethod) {
          compile(name, field + ".method");
        }
        rank.rank = RANK_REGEX;
        return PathMatch.regex(
            "/"
                + (hasService ? "(?:" + service + ")" : "[^/]+")
                + "/"
                + (hasMethod ? "(?:" + name + ")" : "[^/]+"));
      }
      default ->
          throw new RouteRejectedException(
              field + ".type",
              "unknown method match type '" + type + "'; expected Exact or RegularExpression");
    }
  }

  private static HeaderMatch header(String name, String type, String value, String field)
      throws RouteRejectedException {
    if (name == null || name.isBlank()) {
      throw new RouteRejectedException(field + ".name", "is required");
    }
    String v = value == null ? "" : value;
    String t = type == null ? "Exact" : type;
    return switch (t) {
      case "Exact" -> HeaderMatch.exact(name, v);
      case "RegularExpression" -> {
        compile(v, field + ".value");
        yield HeaderMatch.regex(name, v);
      }
      default ->
          throw new RouteRejectedException(
              field + ".type",
              "unknown header match type '" + t + "'; expected Exact or RegularExpression");
    };
  }

  private static void compile(String regex, String field) throws RouteRejectedException {
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new RouteRejectedException(
          field,
          "invalid regular expression '"
              + regex
              + "': "
              + e.getDescription()
              + " near index "
              + e.getIndex());
    }
  }

  private static List<Destination> httpBackends(
      String ns, List<HTTPBackendRef> refs, Backends backends, String rulePath)
      throws RouteRejectedException {
    List<HTTPBackendRef> list = orEmpty(refs);
    List<Destination> out = new ArrayList<>();
    for (int b = 0; b < list.size(); b++) {
      HTTPBackendRef ref = list.get(b);
      String field = rulePath + ".backendRefs[" + b + "]";
      if (ref.getFilters() != null && !ref.getFilters().isEmpty()) {
        throw new RouteRejectedException(
            field + ".filters",
            "filters on a backend are not supported by Weft's client-side routes");
      }
      out.add(
          destination(
              ns,
              ref.getGroup(),
              ref.getKind(),
              ref.getName(),
              ref.getNamespace(),
              ref.getPort(),
              ref.getWeight(),
              backends,
              field));
    }
    return checkDestinations(out, rulePath);
  }

  private static List<Destination> grpcBackends(
      String ns, List<GRPCBackendRef> refs, Backends backends, String rulePath)
      throws RouteRejectedException {
    List<GRPCBackendRef> list = orEmpty(refs);
    List<Destination> out = new ArrayList<>();
    for (int b = 0; b < list.size(); b++) {
      GRPCBackendRef ref = list.get(b);
      String field = rulePath + ".backendRefs[" + b + "]";
      if (ref.getFilters() != null && !ref.getFilters().isEmpty()) {
        throw new RouteRejectedException(
            field + ".filters",
            "filters on a backend are not supported by Weft's client-side routes");
      }
      out.add(
          destination(
              ns,
              ref.getGroup(),
              ref.getKind(),
              ref.getName(),
              ref.getNamespace(),
              ref.getPort(),
              ref.getWeight(),
              backends,
              field));
    }
    return checkDestinations(out, rulePath);
  }

  private static List<Destination> checkDestinations(List<Destination> out, String rulePath)
      throws RouteRejectedException {
    if (out.isEmpty()) {
      throw new RouteRejectedException(
          rulePath + ".backendRefs", "must name at least one backend for a mesh route");
    }
    if (out.stream().allMatch(d -> d.weight() == 0)) {
      throw new RouteRejectedException(
          rulePath + ".backendRefs", "at least one backend must have a weight above 0");
    }
    return out;
  }

  private static Destination destination(
      String routeNs,
      String group,
      String kind,
      String name,
      String namespace,
      Integer port,
      Integer weight,
      Backends backends,
      String field)
      throws RouteRejectedException {
    String cluster = serviceCluster(routeNs, group, kind, name, namespace, port, backends, field);
    int w = weight == null ? 1 : weight;
    if (w < 0 || w > 1_000_000) {
      throw new RouteRejectedException(field + ".weight", "must be from 0 to 1000000, was " + w);
    }
    return new Destination(cluster, "", w);
  }

  private static String serviceCluster(
      String routeNs,
      String group,
      String kind,
      String name,
      String namespace,
      Integer port,
      Backends backends,
      String field)
      throws RouteRejectedException {
    if (!isCoreGroup(group) || !(kind == null || "Service".equals(kind))) {
      throw new RouteRejectedException(
          field + ".kind",
          "only Services can be backends of a mesh route, not "
              + (group == null || group.isEmpty() ? "" : group + "/")
              + kind);
    }
    if (name == null || name.isEmpty()) {
      throw new RouteRejectedException(field + ".name", "is required");
    }
    String ns = namespace == null || namespace.isEmpty() ? routeNs : namespace;
    return backends
        .cluster(ns, name, port)
        .orElseThrow(
            () ->
                new RouteRejectedException(
                    field + (port == null ? ".name" : ".port"),
                    "Service "
                        + ns
                        + "/"
                        + name
                        + (port == null ? "" : " port " + port)
                        + " is not known (not found, or not among the watched Services)"));
  }

  private static List<MirrorPolicy> httpFilter(
      String ns, HTTPRouteFilter filter, Backends backends, String field)
      throws RouteRejectedException {
    if ("RequestMirror".equals(filter.getType()) && filter.getRequestMirror() != null) {
      return List.of(mirror(ns, filter.getRequestMirror(), backends, field + ".requestMirror"));
    }
    throw unsupportedFilter(filter.getType(), field);
  }

  private static RouteRejectedException unsupportedFilter(String type, String field) {
    return new RouteRejectedException(
        field + ".type",
        "filter "
            + type
            + " is not supported by Weft's client-side routes (supported: RequestMirror)");
  }

  private static MirrorPolicy mirror(
      String ns, HTTPRequestMirrorFilter mirror, Backends backends, String field)
      throws RouteRejectedException {
    BackendObjectReference ref = mirror.getBackendRef();
    if (ref == null) {
      throw new RouteRejectedException(field + ".backendRef", "is required");
    }
    String cluster =
        serviceCluster(
            ns,
            ref.getGroup(),
            ref.getKind(),
            ref.getName(),
            ref.getNamespace(),
            ref.getPort(),
            backends,
            field + ".backendRef");
    double percent = 100;
    if (mirror.getPercent() != null) {
      percent = mirror.getPercent();
    } else if (mirror.getFraction() != null) {
      Integer num = mirror.getFraction().getNumerator();
      Integer den = mirror.getFraction().getDenominator();
      int d = den == null ? 100 : den;
      if (num == null || d <= 0 || num < 0 || num > d) {
        throw new RouteRejectedException(
            field + ".fraction", "must have 0 <= numerator <= denominator and denominator > 0");
      }
      percent = 100.0 * num / d;
    }
    if (percent < 0 || percent > 100) {
      throw new RouteRejectedException(field + ".percent", "must be from 0 to 100, was " + percent);
    }
    return new MirrorPolicy(cluster, "", percent);
  }

  private static RetryPolicy retry(HTTPRouteRetry retry, Duration perTry, String field)
      throws RouteRejectedException {
    if (retry == null) {
      return perTry.isZero()
          ? RetryPolicy.NONE
          : RetryPolicy.NONE.toBuilder().perTryTimeout(perTry).build();
    }
    int attempts = retry.getAttempts() == null ? 1 : retry.getAttempts();
    if (attempts < 0 || attempts + 1 > MAX_ATTEMPTS) {
      throw new RouteRejectedException(
          field + ".attempts", "must be from 0 to " + (MAX_ATTEMPTS - 1) + ", was " + attempts);
    }
    Set<RetryOn> on = EnumSet.copyOf(RetryPolicy.DEFAULT_RETRY_ON);
    Set<Integer> codes = new LinkedHashSet<>();
    List<Integer> listed = orEmpty(retry.getCodes());
    for (int i = 0; i < listed.size(); i++) {
      Integer code = listed.get(i);
      if (code == null || code < 400 || code > 599) {
        throw new RouteRejectedException(
            field + ".codes[" + i + "]", "must be an HTTP status from 400 to 599, was " + code);
      }
      codes.add(code);
    }
    if (!codes.isEmpty()) {
      on.add(RetryOn.RETRIABLE_STATUS_CODES);
    }
    RetryPolicy.Builder b =
        RetryPolicy.builder()
            .maxAttempts(attempts + 1)
            .retryOn(on)
            .retriableStatusCodes(codes)
            .perTryTimeout(perTry);
    if (retry.getBackoff() != null) {
      Duration backoff = GatewayDurations.parse(retry.getBackoff(), field + ".backoff");
      if (backoff.isZero()) {
        throw new RouteRejectedException(field + ".backoff", "must be above 0");
      }
      b.initialBackoff(backoff).maxBackoff(backoff.multipliedBy(10));
    }
    try {
      return b.build();
    } catch (InvalidConfigException e) {
      throw new RouteRejectedException(field, e.getMessage());
    }
  }

  private static List<String> parents(String ns, List<ParentReference> refs)
      throws RouteRejectedException {
    List<String> out = new ArrayList<>();
    List<ParentReference> list = orEmpty(refs);
    for (int i = 0; i < list.size(); i++) {
      ParentReference p = list.get(i);
      if (!isServiceParent(p)) {
        continue;
      }
      if (p.getName() == null || p.getName().isEmpty()) {
        throw new RouteRejectedException("spec.parentRefs[" + i + "].name", "is required");
      }
      String pns = p.getNamespace() == null || p.getNamespace().isEmpty() ? ns : p.getNamespace();
      out.add(pns + "/" + p.getName());
    }
    return out;
  }

  private static boolean isServiceParent(ParentReference p) {
    return p != null && isCoreGroup(p.getGroup()) && "Service".equals(p.getKind());
  }

  private static boolean isCoreGroup(String group) {
    return group == null || group.isEmpty() || group.equals("core");
  }

  private static long created(HasMetadata resource) {
    String ts = resource.getMetadata().getCreationTimestamp();
    if (ts == null) {
      return Long.MAX_VALUE;
    }
    try {
      return OffsetDateTime.parse(ts).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      return Long.MAX_VALUE;
    }
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
