package dev.weft.mesh.config.file;

import dev.weft.mesh.api.config.CircuitBreakers;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.LocalRateLimit;
import dev.weft.mesh.api.config.Locality;
import dev.weft.mesh.api.config.MeshConfig;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.RetryBudget;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import dev.weft.mesh.api.config.SlowStart;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.api.config.TlsSettings;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes a {@link MeshConfig} in the canonical full form: every key written, defaults included, in
 * the order of the reference, sets sorted, durations in their largest exact unit. The text reads back
 * to an equal configuration. Only non-empty free-form values that the model holds more than once (as
 * a file's aliases make it) are written with anchors and aliases; everything else is written out in
 * full.
 */
final class MeshConfigWriter {

  /**
   * Free-form values already converted, by identity: a value the model holds twice (as a file's
   * alias makes it) is written once with an anchor and then as an alias, so that the text stays as
   * small as the file it came from.
   */
  private final Map<Object, Object> converted = new IdentityHashMap<>();

  static String write(MeshConfig config) {
    return new MeshConfigWriter().root(config);
  }

  private String root(MeshConfig config) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", config.version());
    Map<String, Object> services = new LinkedHashMap<>();
    for (Service s : config.services()) {
      services.put(s.name(), service(s));
    }
    root.put("services", services);
    Map<String, Object> clusters = new LinkedHashMap<>();
    for (Cluster c : config.clusters()) {
      clusters.put(c.name(), cluster(c));
    }
    root.put("clusters", clusters);
    if (!config.authorizationPolicies().isEmpty()) {
      List<Object> policies = new ArrayList<>();
      config.authorizationPolicies().forEach(p -> policies.add(policy(p)));
      root.put("authorizationPolicies", policies);
    }
    return yaml().dump(root);
  }

  private Map<String, Object> policy(AuthorizationPolicy p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", p.name());
    m.put("services", new ArrayList<>(p.services()));
    m.put("action", p.action().name().toLowerCase(java.util.Locale.ROOT));
    List<Object> rules = new ArrayList<>();
    for (AuthorizationPolicy.Rule r : p.rules()) {
      Map<String, Object> rule = new LinkedHashMap<>();
      List<Object> from = new ArrayList<>();
      r.from().forEach(s -> from.add(stringLists("principals", s.principals(), "notPrincipals", s.notPrincipals(),
          "namespaces", s.namespaces(), "notNamespaces", s.notNamespaces())));
      List<Object> to = new ArrayList<>();
      r.to().forEach(o -> to.add(stringLists("paths", o.paths(), "notPaths", o.notPaths(), "methods", o.methods(), "notMethods", o.notMethods())));
      List<Object> when = new ArrayList<>();
      for (AuthorizationPolicy.Condition c : r.when()) {
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("key", c.key());
        cm.put("values", new ArrayList<>(c.values()));
        cm.put("notValues", new ArrayList<>(c.notValues()));
        when.add(cm);
      }
      rule.put("from", from);
      rule.put("to", to);
      rule.put("when", when);
      rules.add(rule);
    }
    m.put("rules", rules);
    return m;
  }

  private static Map<String, Object> stringLists(String k1, List<String> v1, String k2, List<String> v2, String k3, List<String> v3,
      String k4, List<String> v4) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(k1, new ArrayList<>(v1));
    m.put(k2, new ArrayList<>(v2));
    m.put(k3, new ArrayList<>(v3));
    m.put(k4, new ArrayList<>(v4));
    return m;
  }

  private static Yaml yaml() {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    options.setSplitLines(false);
    options.setWidth(Integer.MAX_VALUE);
    options.setAllowUnicode(true);
    // Control characters are written as escapes in a double-quoted string, not as !!binary.
    options.setNonPrintableStyle(DumperOptions.NonPrintableStyle.ESCAPE);
    return new Yaml(options);
  }

  private Map<String, Object> service(Service service) {
    List<Object> routes = new ArrayList<>();
    service.routes().forEach(r -> routes.add(route(r)));
    return map("routes", routes);
  }

  private Map<String, Object> route(Route r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("match", match(r.match()));
    m.put("destinations", list(r.destinations(), this::destination));
    m.put("timeout", Durations.format(r.timeout()));
    m.put("retry", retry(r.retry()));
    m.put("hedging", hedging(r.hedging()));
    m.put("fault", fault(r.fault()));
    m.put("mirrors", list(r.mirrors(), this::mirror));
    m.put("hashPolicies", list(r.hashPolicies(), this::hashPolicy));
    m.put("rateLimit", rateLimit(r.rateLimit()));
    return m;
  }

  private Map<String, Object> match(RouteMatch match) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path(match.path()));
    m.put("methods", new ArrayList<>(match.methods()));
    m.put("headers", list(match.headers(), this::header));
    return m;
  }

  private Map<String, Object> path(PathMatch path) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(lower(path.kind()), path.value());
    m.put("ignoreCase", path.ignoreCase());
    return m;
  }

  private Map<String, Object> header(HeaderMatch h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", h.name());
    switch (h.kind()) {
      case PRESENT -> m.put("present", true);
      case RANGE -> m.put("range", map("start", h.rangeStart(), "end", h.rangeEnd()));
      default -> m.put(lower(h.kind()), h.value());
    }
    m.put("invert", h.invert());
    m.put("ignoreCase", h.ignoreCase());
    return m;
  }

  private Map<String, Object> destination(Destination d) {
    return map("cluster", d.cluster(), "subset", d.subset(), "weight", d.weight());
  }

  private Map<String, Object> retry(RetryPolicy r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("maxAttempts", r.maxAttempts());
    m.put("perTryTimeout", Durations.format(r.perTryTimeout()));
    m.put("retryOn", conditions(r.retryOn()));
    m.put("retriableStatusCodes", new ArrayList<>(r.retriableStatusCodes().stream().sorted().toList()));
    m.put("initialBackoff", Durations.format(r.initialBackoff()));
    m.put("maxBackoff", Durations.format(r.maxBackoff()));
    m.put("retryNonIdempotent", r.retryNonIdempotent());
    return m;
  }

  private List<Object> conditions(Set<RetryOn> conditions) {
    List<Object> names = new ArrayList<>();
    if (!conditions.isEmpty()) {
      EnumSet.copyOf(conditions).forEach(c -> names.add(c.configName()));
    }
    return names;
  }

  private Map<String, Object> hedging(HedgingPolicy h) {
    return map("maxAttempts", h.maxAttempts(), "delay", Durations.format(h.delay()),
        "delayPercentile", number(h.delayPercentile()), "nonFatalOn", conditions(h.nonFatalOn()));
  }

  private Map<String, Object> fault(FaultInjection f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("delay", map("fixedDelay", Durations.format(f.delay().fixedDelay()), "percent", number(f.delay().percent())));
    m.put("abort", map("httpStatus", f.abort().httpStatus(), "grpcStatus", f.abort().grpcStatus(), "percent", number(f.abort().percent())));
    m.put("headers", list(f.headers(), this::header));
    return m;
  }

  private Map<String, Object> mirror(MirrorPolicy m) {
    return map("cluster", m.cluster(), "subset", m.subset(), "percent", number(m.percent()));
  }

  private Map<String, Object> hashPolicy(HashPolicy h) {
    Map<String, Object> m = new LinkedHashMap<>();
    switch (h.kind()) {
      case HEADER -> m.put("header", h.name());
      case CALL_KEY -> m.put("callKey", true);
    }
    m.put("terminal", h.terminal());
    return m;
  }

  private Map<String, Object> rateLimit(LocalRateLimit r) {
    return map("maxTokens", r.maxTokens(), "tokensPerFill", r.tokensPerFill(), "fillInterval", Durations.format(r.fillInterval()));
  }

  private Map<String, Object> cluster(Cluster c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("endpoints", list(c.endpoints(), this::endpoint));
    Map<String, Object> subsets = new LinkedHashMap<>();
    for (Subset s : c.subsets()) {
      subsets.put(s.name(), new LinkedHashMap<>(s.labels()));
    }
    m.put("subsets", subsets);
    m.put("loadBalancing", loadBalancing(c.loadBalancing()));
    m.put("circuitBreakers", circuitBreakers(c.circuitBreakers()));
    m.put("outlierDetection", outlierDetection(c.outlierDetection()));
    m.put("retryBudget", retryBudget(c.retryBudget()));
    m.put("tls", tls(c.tls()));
    m.put("connectTimeout", Durations.format(c.connectTimeout()));
    return m;
  }

  private Map<String, Object> endpoint(Endpoint e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", MeshConfigReader.HostPort.format(e.host(), e.port()));
    m.put("weight", e.weight());
    m.put("priority", e.priority());
    m.put("health", lower(e.health()));
    m.put("locality", locality(e.locality()));
    m.put("labels", new LinkedHashMap<>(e.labels()));
    return m;
  }

  private Map<String, Object> locality(Locality l) {
    return map("region", l.region(), "zone", l.zone(), "subZone", l.subZone());
  }

  private Map<String, Object> loadBalancing(LoadBalancing lb) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("policy", lb.policy());
    m.put("options", plain(lb.options(), "options"));
    m.put("localityWeighted", lb.localityWeighted());
    m.put("overprovisioningFactor", lb.overprovisioningFactor());
    m.put("panicThreshold", number(lb.panicThresholdPercent()));
    m.put("slowStart", slowStart(lb.slowStart()));
    return m;
  }

  private Map<String, Object> slowStart(SlowStart s) {
    return map("window", Durations.format(s.window()), "aggression", number(s.aggression()),
        "minWeightPercent", number(s.minWeightPercent()));
  }

  private Map<String, Object> circuitBreakers(CircuitBreakers cb) {
    return map("maxConnections", cb.maxConnections(), "maxPendingRequests", cb.maxPendingRequests(),
        "maxRequests", cb.maxRequests(), "maxRetries", cb.maxRetries());
  }

  private Map<String, Object> outlierDetection(OutlierDetection o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("enabled", o.enabled());
    m.put("interval", Durations.format(o.interval()));
    m.put("baseEjectionTime", Durations.format(o.baseEjectionTime()));
    m.put("maxEjectionTime", Durations.format(o.maxEjectionTime()));
    m.put("maxEjectionPercent", o.maxEjectionPercent());
    m.put("consecutiveFailures", o.consecutiveFailures());
    m.put("consecutiveGatewayFailures", o.consecutiveGatewayFailures());
    OutlierDetection.SuccessRate sr = o.successRate();
    m.put("successRate", map("minimumHosts", sr.minimumHosts(), "requestVolume", sr.requestVolume(),
        "stdevFactor", number(sr.stdevFactor()), "enforcingPercent", sr.enforcingPercent()));
    OutlierDetection.FailurePercentage fp = o.failurePercentage();
    m.put("failurePercentage", map("threshold", fp.threshold(), "minimumHosts", fp.minimumHosts(),
        "requestVolume", fp.requestVolume(), "enforcingPercent", fp.enforcingPercent()));
    return m;
  }

  private Map<String, Object> retryBudget(RetryBudget b) {
    return map("percent", number(b.percent()), "minRetriesPerSecond", b.minRetriesPerSecond(), "ttl", Durations.format(b.ttl()));
  }

  private Map<String, Object> tls(TlsSettings t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", lower(t.mode()));
    m.put("certificateChain", t.certificateChain());
    m.put("privateKey", t.privateKey());
    m.put("caCertificates", t.caCertificates());
    m.put("subjectAltNames", new ArrayList<>(t.subjectAltNames()));
    m.put("sni", t.sni());
    return m;
  }

  /**
   * A model number as the file writes it: whole numbers without a fraction ({@code 100}, not
   * {@code 100.0}), others exactly as Java prints them, which reads back to the same double.
   */
  private static Object number(double d) {
    boolean negativeZero = d == 0 && Double.doubleToRawLongBits(d) != 0;
    if (d == Math.rint(d) && Math.abs(d) < 1e15 && !negativeZero) {
      return (long) d;
    }
    return d;
  }

  /** A free-form value as YAML can hold it; the reader gives back Integer, Long, Double, Boolean, String, List and Map. */
  private Object plain(Object value, String path) {
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
        || value instanceof Long || value instanceof Double || value instanceof BigInteger) {
      return value;
    }
    if (value instanceof Short || value instanceof Byte) {
      return ((Number) value).intValue();
    }
    if (value instanceof Float || value instanceof BigDecimal) {
      return ((Number) value).doubleValue();
    }
    Object done = converted.get(value);
    if (done != null) {
      return done;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      remember(value, out);
      map.forEach((k, v) -> out.put(String.valueOf(k), plain(v, path + "." + k)));
      return out;
    }
    if (value instanceof Collection<?> items) {
      List<Object> out = new ArrayList<>();
      remember(value, out);
      int i = 0;
      for (Object item : items) {
        out.add(plain(item, path + "[" + i++ + "]"));
      }
      return out;
    }
    throw new IllegalArgumentException(path + " holds a " + value.getClass().getName()
        + "; load-balancing options must be plain values (strings, numbers, booleans, lists and maps)");
  }

  /** Remembers a converted container, unless it is empty: empty ones are shared freely and cost nothing to repeat. */
  private void remember(Object value, Object out) {
    boolean empty = value instanceof Map<?, ?> m ? m.isEmpty() : ((Collection<?>) value).isEmpty();
    if (!empty) {
      converted.put(value, out);
    }
  }

  private static <T> List<Object> list(List<T> items, java.util.function.Function<T, Object> write) {
    List<Object> out = new ArrayList<>(items.size());
    items.forEach(i -> out.add(write.apply(i)));
    return out;
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private MeshConfigWriter() {}
}
