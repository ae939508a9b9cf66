package dev.weft.mesh.config.file;

import dev.weft.mesh.api.config.CircuitBreakers;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.InvalidConfigException;
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
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Turns a composed YAML document into a {@link MeshConfig}: one method per record of the model, each
 * reading its keys with {@link Fields} and constructing the record so that the model validates it.
 * The keys and defaults are those of {@code docs/config-reference.md}.
 */
final class MeshConfigReader {
  static final List<String> ROOT_KEYS = List.of("version", "services", "clusters", "authorizationPolicies");
  static final List<String> POLICY_KEYS = List.of("name", "services", "action", "rules");
  static final List<String> RULE_KEYS = List.of("from", "to", "when");
  static final List<String> SOURCE_KEYS = List.of("principals", "notPrincipals", "namespaces", "notNamespaces");
  static final List<String> OPERATION_KEYS = List.of("paths", "notPaths", "methods", "notMethods");
  static final List<String> CONDITION_KEYS = List.of("key", "values", "notValues");
  static final List<String> SERVICE_KEYS = List.of("routes");
  static final List<String> ROUTE_KEYS = List.of(
      "name", "match", "destinations", "timeout", "retry", "hedging", "fault", "mirrors", "hashPolicies", "rateLimit");
  static final List<String> MATCH_KEYS = List.of("path", "methods", "headers");
  static final List<String> PATH_KINDS = List.of("prefix", "exact", "regex");
  static final List<String> PATH_KEYS = List.of("prefix", "exact", "regex", "ignoreCase");
  static final List<String> HEADER_KINDS = List.of("exact", "prefix", "suffix", "contains", "regex", "present", "range");
  static final List<String> HEADER_KEYS = List.of(
      "name", "exact", "prefix", "suffix", "contains", "regex", "present", "range", "invert", "ignoreCase");
  static final List<String> RANGE_KEYS = List.of("start", "end");
  static final List<String> DESTINATION_KEYS = List.of("cluster", "subset", "weight");
  static final List<String> RETRY_KEYS = List.of(
      "maxAttempts", "perTryTimeout", "retryOn", "retriableStatusCodes", "initialBackoff", "maxBackoff", "retryNonIdempotent");
  static final List<String> HEDGING_KEYS = List.of("maxAttempts", "delay", "delayPercentile", "nonFatalOn");
  static final List<String> FAULT_KEYS = List.of("delay", "abort", "headers");
  static final List<String> DELAY_KEYS = List.of("fixedDelay", "percent");
  static final List<String> ABORT_KEYS = List.of("httpStatus", "grpcStatus", "percent");
  static final List<String> MIRROR_KEYS = List.of("cluster", "subset", "percent");
  static final List<String> HASH_KINDS = List.of("header", "callKey");
  static final List<String> HASH_KEYS = List.of("header", "callKey", "terminal");
  static final List<String> RATE_LIMIT_KEYS = List.of("maxTokens", "tokensPerFill", "fillInterval");
  static final List<String> CLUSTER_KEYS = List.of(
      "endpoints", "subsets", "loadBalancing", "circuitBreakers", "outlierDetection", "retryBudget", "tls", "connectTimeout");
  static final List<String> ENDPOINT_KEYS = List.of("address", "weight", "priority", "health", "locality", "labels");
  static final List<String> LOCALITY_KEYS = List.of("region", "zone", "subZone");
  static final List<String> LOAD_BALANCING_KEYS = List.of(
      "policy", "options", "localityWeighted", "overprovisioningFactor", "panicThreshold", "slowStart");
  static final List<String> SLOW_START_KEYS = List.of("window", "aggression", "minWeightPercent");
  static final List<String> CIRCUIT_BREAKER_KEYS = List.of("maxConnections", "maxPendingRequests", "maxRequests", "maxRetries");
  static final List<String> OUTLIER_KEYS = List.of(
      "enabled", "interval", "baseEjectionTime", "maxEjectionTime", "maxEjectionPercent", "consecutiveFailures",
      "consecutiveGatewayFailures", "successRate", "failurePercentage");
  static final List<String> SUCCESS_RATE_KEYS = List.of("minimumHosts", "requestVolume", "stdevFactor", "enforcingPercent");
  static final List<String> FAILURE_PERCENTAGE_KEYS = List.of("threshold", "minimumHosts", "requestVolume", "enforcingPercent");
  static final List<String> RETRY_BUDGET_KEYS = List.of("percent", "minRetriesPerSecond", "ttl");
  static final List<String> TLS_KEYS = List.of("mode", "certificateChain", "privateKey", "caCertificates", "subjectAltNames", "sni");

  /** What hedging treats as non-fatal when the file does not say: as {@link HedgingPolicy#fixed} does. */
  static final Set<RetryOn> DEFAULT_NON_FATAL_ON = Set.of(RetryOn.UNAVAILABLE, RetryOn.FIVE_XX);
  /** The share of calls mirrored when a mirror does not say, as in Istio. */
  static final double DEFAULT_MIRROR_PERCENT = 100;

  private final ReadContext ctx;

  MeshConfigReader(ReadContext ctx) {
    this.ctx = ctx;
  }

  /** The configuration in {@code root}, or null when it has problems (reported to the context). */
  ParsedConfig read(Node root, String defaultVersion) {
    if (root == null) {
      ctx.problem(Location.root(), "the file is empty; a mesh configuration has at least one of the keys 'services' and 'clusters'");
      return null;
    }
    Fields f = new Fields(ctx, root, Location.root(), ROOT_KEYS);
    String version = f.string("version", defaultVersion);
    List<Service> services = f.named("services", "services", this::service);
    List<Cluster> clusters = f.named("clusters", "clusters", this::cluster);
    List<AuthorizationPolicy> policies = f.items("authorizationPolicies", "authorizationPolicies", false, this::policy);
    MeshConfig config = f.build(() -> new MeshConfig(version, services, clusters, policies));
    return config == null || ctx.hasProblems() ? null : new ParsedConfig(config, f.table(), ctx.source);
  }

  // ---- authorization policies

  private Fields.Read<AuthorizationPolicy> policy(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, POLICY_KEYS);
    String name = f.requiredString("name", "name");
    List<String> services = f.strings("services", "services", List.of());
    AuthorizationPolicy.Action action = f.enumValue("action", AuthorizationPolicy.Action.class, AuthorizationPolicy.Action.ALLOW, false);
    List<AuthorizationPolicy.Rule> rules = f.items("rules", "rules", false, this::rule);
    return f.done(f.build(() -> new AuthorizationPolicy(name, services, action, rules)));
  }

  private Fields.Read<AuthorizationPolicy.Rule> rule(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, RULE_KEYS);
    List<AuthorizationPolicy.Source> from = f.items("from", "from", false, this::source);
    List<AuthorizationPolicy.Operation> to = f.items("to", "to", false, this::operation);
    List<AuthorizationPolicy.Condition> when = f.items("when", "when", false, this::condition);
    return f.done(f.build(() -> new AuthorizationPolicy.Rule(from, to, when)));
  }

  /**
   * A source, written flat ({@code - principals: [...]}) or in Istio's layout
   * ({@code - source: {principals: [...]}}), so that an Istio policy's rules paste in unchanged.
   */
  private Fields.Read<AuthorizationPolicy.Source> source(int index, Node node, Location at) {
    return isWrapper(node, "source") ? unwrap(node, at, "source", this::flatSource) : flatSource(index, node, at);
  }

  /** An operation, flat or inside Istio's {@code operation:} key. */
  private Fields.Read<AuthorizationPolicy.Operation> operation(int index, Node node, Location at) {
    return isWrapper(node, "operation") ? unwrap(node, at, "operation", this::flatOperation) : flatOperation(index, node, at);
  }

  private static boolean isWrapper(Node node, String key) {
    return node instanceof org.yaml.snakeyaml.nodes.MappingNode m && m.getValue().size() == 1
        && m.getValue().get(0).getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode k && k.getValue().equals(key);
  }

  private <T> Fields.Read<T> unwrap(Node node, Location at, String key, Fields.ItemReader<T> reader) {
    Fields wrapper = new Fields(ctx, node, at, List.of(key));
    return wrapper.done(wrapper.record(key, null, reader));
  }

  private Fields.Read<AuthorizationPolicy.Source> flatSource(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, SOURCE_KEYS);
    List<String> principals = f.strings("principals", "principals", List.of());
    List<String> notPrincipals = f.strings("notPrincipals", "notPrincipals", List.of());
    List<String> namespaces = f.strings("namespaces", "namespaces", List.of());
    List<String> notNamespaces = f.strings("notNamespaces", "notNamespaces", List.of());
    return f.done(f.build(() -> new AuthorizationPolicy.Source(principals, notPrincipals, namespaces, notNamespaces)));
  }

  private Fields.Read<AuthorizationPolicy.Operation> flatOperation(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, OPERATION_KEYS);
    List<String> paths = f.strings("paths", "paths", List.of());
    List<String> notPaths = f.strings("notPaths", "notPaths", List.of());
    List<String> methods = f.strings("methods", "methods", List.of());
    List<String> notMethods = f.strings("notMethods", "notMethods", List.of());
    return f.done(f.build(() -> new AuthorizationPolicy.Operation(paths, notPaths, methods, notMethods)));
  }

  private Fields.Read<AuthorizationPolicy.Condition> condition(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, CONDITION_KEYS);
    String key = f.requiredString("key", "key");
    List<String> values = f.strings("values", "values", List.of());
    List<String> notValues = f.strings("notValues", "notValues", List.of());
    return f.done(f.build(() -> new AuthorizationPolicy.Condition(key, values, notValues)));
  }

  // ---- services and routes

  private Fields.Read<Service> service(String name, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, SERVICE_KEYS);
    f.locate("name", at);
    List<Route> routes = f.items("routes", "routes", true, this::route);
    return f.done(f.build(() -> new Service(name, routes)));
  }

  private Fields.Read<Route> route(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, ROUTE_KEYS);
    String name = f.string("name", "route-" + index);
    RouteMatch match = f.record("match", RouteMatch.ANY, this::match);
    List<Destination> destinations = f.items("destinations", "destinations", true, this::destination);
    Duration timeout = f.duration("timeout", Duration.ZERO, false);
    RetryPolicy retry = f.record("retry", RetryPolicy.NONE, this::retry);
    HedgingPolicy hedging = f.record("hedging", HedgingPolicy.NONE, this::hedging);
    FaultInjection fault = f.record("fault", FaultInjection.NONE, this::fault);
    List<MirrorPolicy> mirrors = f.items("mirrors", "mirrors", false, this::mirror);
    List<HashPolicy> hashPolicies = f.items("hashPolicies", "hashPolicies", false, this::hashPolicy);
    LocalRateLimit rateLimit = f.record("rateLimit", LocalRateLimit.UNLIMITED, this::rateLimit);
    return f.done(f.build(() -> new Route(name, match, destinations, timeout, retry, hedging, fault, mirrors, hashPolicies, rateLimit)));
  }

  private Fields.Read<RouteMatch> match(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, MATCH_KEYS);
    PathMatch path = f.record("path", PathMatch.ANY, this::pathMatch);
    List<String> methods = f.strings("methods", "methods", List.of());
    List<HeaderMatch> headers = f.items("headers", "headers", false, this::headerMatch);
    return f.done(f.build(() -> new RouteMatch(path, methods, headers)));
  }

  private Fields.Read<PathMatch> pathMatch(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, PATH_KEYS);
    String chosen = oneOf(f, PATH_KINDS, "kind", "value");
    PathMatch.Kind kind = chosen == null ? null : PathMatch.Kind.valueOf(chosen.toUpperCase(Locale.ROOT));
    String value = chosen == null ? null : f.requiredString(chosen, "value");
    if (chosen != null) {
      f.locate("kind", f.at(chosen));
    }
    boolean ignoreCase = f.bool("ignoreCase", false);
    return f.done(f.build(() -> new PathMatch(kind, value, ignoreCase)));
  }

  private Fields.Read<HeaderMatch> headerMatch(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, HEADER_KEYS);
    String name = f.requiredString("name", "name");
    String chosen = oneOf(f, HEADER_KINDS, "kind", "value");
    HeaderMatch.Kind kind = chosen == null ? null : HeaderMatch.Kind.valueOf(chosen.toUpperCase(Locale.ROOT));
    String value = "";
    long[] range = {0, 0};
    if (kind != null) {
      f.locate("kind", f.at(chosen));
      f.locate("value", f.at(chosen));
      switch (kind) {
        case PRESENT -> {
          boolean present = f.scalar("present", "kind", true, false, Scalars::bool);
          if (!present) {
            f.fail("kind");
            f.problem(f.at("present"), "must be true; to match requests that lack the header, write 'present: true' with 'invert: true'");
          }
        }
        case RANGE -> range = headerRange(f);
        default -> value = f.requiredString(chosen, "value");
      }
    }
    boolean invert = f.bool("invert", false);
    boolean ignoreCase = f.bool("ignoreCase", false);
    String v = value;
    long start = range[0];
    long end = range[1];
    return f.done(f.build(() -> new HeaderMatch(name, kind, v, start, end, invert, ignoreCase)));
  }

  private static long[] headerRange(Fields f) {
    f.locate("rangeStart", f.at("range"));
    f.locate("rangeEnd", f.at("range"));
    Fields r = f.nested("range", "kind", RANGE_KEYS);
    if (r == null) {
      f.fail("rangeStart");
      f.fail("rangeEnd");
      return new long[] {0, 0};
    }
    long start = r.longInteger("start", "start", 0, true);
    long end = r.longInteger("end", "end", 0, true);
    f.locate("rangeStart", r.at("start"));
    f.locate("rangeEnd", r.at("end"));
    if (r.failed("start")) {
      f.fail("rangeStart");
    }
    if (r.failed("end")) {
      f.fail("rangeEnd");
    }
    return new long[] {start, end};
  }

  /**
   * The one key of {@code kinds} that the mapping has, or null when it has none or several
   * (reported; the {@code models} fields are then marked as reported).
   */
  private static String oneOf(Fields f, List<String> kinds, String... models) {
    List<String> given = kinds.stream().filter(f::has).toList();
    if (given.size() == 1) {
      return given.get(0);
    }
    Arrays.stream(models).forEach(f::fail);
    String choices = String.join(", ", kinds.subList(0, kinds.size() - 1)) + " or " + kinds.get(kinds.size() - 1);
    if (given.isEmpty()) {
      f.problem(f.self(), "needs one of the keys " + choices);
    } else {
      f.problem(f.at(given.get(1)), "give only one of " + choices + "; this has both '" + given.get(0) + "' and '" + given.get(1) + "'");
    }
    return null;
  }

  private Fields.Read<Destination> destination(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, DESTINATION_KEYS);
    String cluster = f.requiredString("cluster", "cluster");
    String subset = f.string("subset", "");
    int weight = f.integer("weight", 1);
    return f.done(f.build(() -> new Destination(cluster, subset, weight)));
  }

  private Fields.Read<RetryPolicy> retry(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, RETRY_KEYS);
    RetryPolicy d = RetryPolicy.builder().build();
    int maxAttempts = f.integer("maxAttempts", d.maxAttempts());
    Duration perTryTimeout = f.duration("perTryTimeout", d.perTryTimeout(), false);
    Set<RetryOn> retryOn = retryConditions(f, "retryOn", d.retryOn());
    Set<Integer> codes = statusCodes(f);
    Duration initialBackoff = f.duration("initialBackoff", d.initialBackoff(), false);
    Duration maxBackoff = f.duration("maxBackoff", d.maxBackoff(), false);
    boolean nonIdempotent = f.bool("retryNonIdempotent", d.retryNonIdempotent());
    return f.done(f.build(() -> new RetryPolicy(maxAttempts, perTryTimeout, retryOn, codes, initialBackoff, maxBackoff, nonIdempotent)));
  }

  /** Retry conditions as a list ({@code [5xx, reset]}) or in Envoy's comma-separated form ({@code "5xx,reset"}). */
  private Set<RetryOn> retryConditions(Fields f, String key, Set<RetryOn> def) {
    Node value = f.take(key, key, false);
    if (value == null) {
      return def;
    }
    Set<RetryOn> result = EnumSet.noneOf(RetryOn.class);
    if (value instanceof ScalarNode scalar) {
      for (String name : scalar.getValue().split(",", -1)) {
        addCondition(f, key, name, f.at(key), result);
      }
    } else if (value instanceof SequenceNode sequence) {
      List<Node> items = sequence.getValue();
      for (int i = 0; i < items.size(); i++) {
        Node item = items.get(i);
        Location at = f.itemAt(key, i, item);
        if (!ctx.plain(item, at)) {
          f.fail(key);
        } else if (item instanceof ScalarNode scalar && !ReadContext.isNull(scalar)) {
          addCondition(f, key, scalar.getValue(), at, result);
        } else {
          f.fail(key);
          f.problem(at, "must be a retry condition such as 5xx or unavailable, was " + ReadContext.describe(item));
        }
      }
    } else {
      f.fail(key);
      f.problem(f.at(key), "must be a list of retry conditions, was " + ReadContext.describe(value));
    }
    return result;
  }

  private static void addCondition(Fields f, String key, String name, Location at, Set<RetryOn> into) {
    RetryOn condition = RetryOn.fromConfigName(name).orElse(null);
    if (condition != null) {
      into.add(condition);
      return;
    }
    f.fail(key);
    List<String> names = Arrays.stream(RetryOn.values()).map(RetryOn::configName).toList();
    String hint = Suggestions.closest(name.trim(), names).map(s -> "did you mean '" + s + "'? ").orElse("");
    f.problem(at, "has the unknown condition " + ReadContext.quote(name.trim()) + "; " + hint + "the conditions are " + String.join(", ", names));
  }

  private Set<Integer> statusCodes(Fields f) {
    List<Node> items = f.list("retriableStatusCodes", "retriableStatusCodes", false);
    if (items == null) {
      return Set.of();
    }
    Set<Integer> codes = new LinkedHashSet<>();
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      Location at = f.itemAt("retriableStatusCodes", i, item);
      if (!ctx.plain(item, at)) {
        f.fail("retriableStatusCodes");
        continue;
      }
      try {
        codes.add((int) Scalars.whole(item, Integer.MIN_VALUE, Integer.MAX_VALUE));
      } catch (IllegalArgumentException e) {
        f.fail("retriableStatusCodes");
        f.problem(at, e.getMessage());
      }
    }
    return codes;
  }

  private Fields.Read<HedgingPolicy> hedging(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, HEDGING_KEYS);
    int maxAttempts = f.requiredInteger("maxAttempts", 1);
    Duration delay = f.duration("delay", Duration.ZERO, false);
    double percentile = f.number("delayPercentile", "delayPercentile", 0, false);
    Set<RetryOn> nonFatalOn = retryConditions(f, "nonFatalOn", DEFAULT_NON_FATAL_ON);
    return f.done(f.build(() -> new HedgingPolicy(maxAttempts, delay, percentile, nonFatalOn)));
  }

  private Fields.Read<FaultInjection> fault(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, FAULT_KEYS);
    FaultInjection.Delay delay = f.record("delay", FaultInjection.Delay.NONE, this::faultDelay);
    FaultInjection.Abort abort = f.record("abort", FaultInjection.Abort.NONE, this::faultAbort);
    List<HeaderMatch> headers = f.items("headers", "headers", false, this::headerMatch);
    return f.done(f.build(() -> new FaultInjection(delay, abort, headers)));
  }

  private Fields.Read<FaultInjection.Delay> faultDelay(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, DELAY_KEYS);
    Duration fixedDelay = f.duration("fixedDelay", Duration.ZERO, true);
    double percent = f.number("percent", "percent", 0, true);
    return f.done(f.build(() -> new FaultInjection.Delay(fixedDelay, percent)));
  }

  private Fields.Read<FaultInjection.Abort> faultAbort(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, ABORT_KEYS);
    int httpStatus = f.integer("httpStatus", FaultInjection.Abort.NONE.httpStatus());
    String grpcStatus = f.string("grpcStatus", FaultInjection.Abort.NONE.grpcStatus()).toUpperCase(Locale.ROOT);
    double percent = f.number("percent", "percent", 0, true);
    return f.done(f.build(() -> new FaultInjection.Abort(httpStatus, grpcStatus, percent)));
  }

  private Fields.Read<MirrorPolicy> mirror(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, MIRROR_KEYS);
    String cluster = f.requiredString("cluster", "cluster");
    String subset = f.string("subset", "");
    double percent = f.number("percent", "percent", DEFAULT_MIRROR_PERCENT, false);
    return f.done(f.build(() -> new MirrorPolicy(cluster, subset, percent)));
  }

  private Fields.Read<HashPolicy> hashPolicy(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, HASH_KEYS);
    String chosen = oneOf(f, HASH_KINDS, "kind", "name");
    HashPolicy.Kind kind = null;
    String name = "";
    if ("header".equals(chosen)) {
      kind = HashPolicy.Kind.HEADER;
      f.locate("kind", f.at("header"));
      name = f.requiredString("header", "name");
    } else if ("callKey".equals(chosen)) {
      kind = HashPolicy.Kind.CALL_KEY;
      f.locate("name", f.at("callKey"));
      boolean callKey = f.scalar("callKey", "kind", true, false, Scalars::bool);
      if (!callKey) {
        f.fail("kind");
        f.problem(f.at("callKey"), "must be true; to hash a header instead, write 'header: <name>'");
      }
    }
    boolean terminal = f.bool("terminal", false);
    HashPolicy.Kind k = kind;
    String n = name;
    return f.done(f.build(() -> new HashPolicy(k, n, terminal)));
  }

  private Fields.Read<LocalRateLimit> rateLimit(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, RATE_LIMIT_KEYS);
    long maxTokens = f.longInteger("maxTokens", "maxTokens", 0, true);
    long tokensPerFill = f.longInteger("tokensPerFill", "tokensPerFill", maxTokens, false);
    Duration fillInterval = f.duration("fillInterval", LocalRateLimit.UNLIMITED.fillInterval(), false);
    return f.done(f.build(() -> new LocalRateLimit(maxTokens, tokensPerFill, fillInterval)));
  }

  // ---- clusters

  private Fields.Read<Cluster> cluster(String name, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, CLUSTER_KEYS);
    f.locate("name", at);
    List<Endpoint> endpoints = f.items("endpoints", "endpoints", false, this::endpoint);
    List<Subset> subsets = f.named("subsets", "subsets", this::subset);
    LoadBalancing loadBalancing = f.record("loadBalancing", LoadBalancing.DEFAULT, this::loadBalancing);
    CircuitBreakers circuitBreakers = f.record("circuitBreakers", CircuitBreakers.DEFAULT, this::circuitBreakers);
    OutlierDetection outlierDetection = f.record("outlierDetection", OutlierDetection.DISABLED, this::outlierDetection);
    RetryBudget retryBudget = f.record("retryBudget", RetryBudget.DEFAULT, this::retryBudget);
    TlsSettings tls = f.record("tls", TlsSettings.DISABLED, this::tls);
    Duration connectTimeout = f.duration("connectTimeout", Cluster.DEFAULT_CONNECT_TIMEOUT, false);
    Cluster cluster = f.build(() -> new Cluster(
        name, endpoints, subsets, loadBalancing, circuitBreakers, outlierDetection, retryBudget, tls, connectTimeout));
    if (cluster == null) {
      // The file is rejected already. A stand-in with the cluster's name and subsets lets routes that
      // name it be checked without reporting it as undefined.
      cluster = standIn(name, subsets);
    }
    return f.done(cluster);
  }

  private static Cluster standIn(String name, List<Subset> subsets) {
    try {
      return Cluster.builder(name).subsets(subsets).build();
    } catch (InvalidConfigException e) {
      return null;
    }
  }

  private Fields.Read<Endpoint> endpoint(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, ENDPOINT_KEYS);
    String address = f.requiredString("address", "host");
    f.locate("port", f.at("address"));
    String host = null;
    int port = 0;
    if (address == null) {
      f.fail("port");
    } else {
      try {
        HostPort hostPort = HostPort.parse(address);
        host = hostPort.host();
        port = hostPort.port();
      } catch (IllegalArgumentException e) {
        f.fail("host");
        f.fail("port");
        f.problem(f.at("address"), e.getMessage());
      }
    }
    int weight = f.integer("weight", Endpoint.DEFAULT_WEIGHT);
    int priority = f.integer("priority", 0);
    HealthStatus health = f.enumValue("health", HealthStatus.class, HealthStatus.UNKNOWN, false);
    Locality locality = f.record("locality", Locality.UNSPECIFIED, this::locality);
    Map<String, String> labels = f.stringMap("labels", "labels");
    String h = host;
    int p = port;
    return f.done(f.build(() -> new Endpoint(h, p, weight, locality, priority, health, labels)));
  }

  private Fields.Read<Locality> locality(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, LOCALITY_KEYS);
    String region = f.string("region", "");
    String zone = f.string("zone", "");
    String subZone = f.string("subZone", "");
    return f.done(f.build(() -> new Locality(region, zone, subZone)));
  }

  private Fields.Read<Subset> subset(String name, Node node, Location at) {
    Fields f = Fields.forValue(ctx, at);
    f.locate("name", at);
    f.locate("labels", at);
    Map<String, String> labels = f.stringMap(node, at, "labels");
    return f.done(f.build(() -> new Subset(name, labels)));
  }

  private Fields.Read<LoadBalancing> loadBalancing(int index, Node node, Location at) {
    if (node instanceof ScalarNode) {
      Fields f = Fields.forValue(ctx, at);
      f.locate("policy", at);
      String policy = Scalars.text(node);
      return f.done(f.build(() -> LoadBalancing.of(policy)));
    }
    Fields f = new Fields(ctx, node, at, LOAD_BALANCING_KEYS);
    LoadBalancing d = LoadBalancing.DEFAULT;
    String policy = f.string("policy", d.policy());
    Map<String, Object> options = f.freeForm("options", "options");
    boolean localityWeighted = f.bool("localityWeighted", d.localityWeighted());
    int overprovisioning = f.integer("overprovisioningFactor", d.overprovisioningFactor());
    double panic = f.number("panicThreshold", "panicThresholdPercent", d.panicThresholdPercent(), false);
    SlowStart slowStart = f.record("slowStart", d.slowStart(), this::slowStart);
    return f.done(f.build(() -> new LoadBalancing(policy, options, localityWeighted, overprovisioning, panic, slowStart)));
  }

  private Fields.Read<SlowStart> slowStart(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, SLOW_START_KEYS);
    SlowStart d = SlowStart.DISABLED;
    Duration window = f.duration("window", d.window(), true);
    double aggression = f.number("aggression", "aggression", d.aggression(), false);
    double minWeightPercent = f.number("minWeightPercent", "minWeightPercent", d.minWeightPercent(), false);
    return f.done(f.build(() -> new SlowStart(window, aggression, minWeightPercent)));
  }

  private Fields.Read<CircuitBreakers> circuitBreakers(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, CIRCUIT_BREAKER_KEYS);
    CircuitBreakers d = CircuitBreakers.DEFAULT;
    int maxConnections = f.integer("maxConnections", d.maxConnections());
    int maxPending = f.integer("maxPendingRequests", d.maxPendingRequests());
    int maxRequests = f.integer("maxRequests", d.maxRequests());
    int maxRetries = f.integer("maxRetries", d.maxRetries());
    return f.done(f.build(() -> new CircuitBreakers(maxConnections, maxPending, maxRequests, maxRetries)));
  }

  private Fields.Read<OutlierDetection> outlierDetection(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, OUTLIER_KEYS);
    OutlierDetection d = OutlierDetection.builder().build();
    boolean enabled = f.bool("enabled", true);
    Duration interval = f.duration("interval", d.interval(), false);
    Duration baseEjectionTime = f.duration("baseEjectionTime", d.baseEjectionTime(), false);
    Duration maxEjectionTime = f.duration("maxEjectionTime", d.maxEjectionTime(), false);
    int maxEjectionPercent = f.integer("maxEjectionPercent", d.maxEjectionPercent());
    int consecutiveFailures = f.integer("consecutiveFailures", d.consecutiveFailures());
    int consecutiveGatewayFailures = f.integer("consecutiveGatewayFailures", d.consecutiveGatewayFailures());
    OutlierDetection.SuccessRate successRate = f.record("successRate", d.successRate(), this::successRate);
    OutlierDetection.FailurePercentage failurePercentage =
        f.record("failurePercentage", d.failurePercentage(), this::failurePercentage);
    return f.done(f.build(() -> new OutlierDetection(enabled, interval, baseEjectionTime, maxEjectionTime, maxEjectionPercent,
        consecutiveFailures, consecutiveGatewayFailures, successRate, failurePercentage)));
  }

  /** Success-rate ejection: written out means on, with Envoy's defaults for what is left out. */
  private Fields.Read<OutlierDetection.SuccessRate> successRate(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, SUCCESS_RATE_KEYS);
    OutlierDetection.SuccessRate d = OutlierDetection.SuccessRate.DEFAULT;
    int minimumHosts = f.integer("minimumHosts", d.minimumHosts());
    int requestVolume = f.integer("requestVolume", d.requestVolume());
    double stdevFactor = f.number("stdevFactor", "stdevFactor", d.stdevFactor(), false);
    int enforcingPercent = f.integer("enforcingPercent", d.enforcingPercent());
    return f.done(f.build(() -> new OutlierDetection.SuccessRate(minimumHosts, requestVolume, stdevFactor, enforcingPercent)));
  }

  /** Failure-percentage ejection: written out means on, with Envoy's defaults for what is left out. */
  private Fields.Read<OutlierDetection.FailurePercentage> failurePercentage(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, FAILURE_PERCENTAGE_KEYS);
    OutlierDetection.FailurePercentage d = OutlierDetection.FailurePercentage.DEFAULT;
    int threshold = f.integer("threshold", d.threshold());
    int minimumHosts = f.integer("minimumHosts", d.minimumHosts());
    int requestVolume = f.integer("requestVolume", d.requestVolume());
    int enforcingPercent = f.integer("enforcingPercent", d.enforcingPercent());
    return f.done(f.build(() -> new OutlierDetection.FailurePercentage(threshold, minimumHosts, requestVolume, enforcingPercent)));
  }

  private Fields.Read<RetryBudget> retryBudget(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, RETRY_BUDGET_KEYS);
    RetryBudget d = RetryBudget.DEFAULT;
    double percent = f.number("percent", "percent", d.percent(), false);
    int minRetriesPerSecond = f.integer("minRetriesPerSecond", d.minRetriesPerSecond());
    Duration ttl = f.duration("ttl", d.ttl(), false);
    return f.done(f.build(() -> new RetryBudget(percent, minRetriesPerSecond, ttl)));
  }

  private Fields.Read<TlsSettings> tls(int index, Node node, Location at) {
    Fields f = new Fields(ctx, node, at, TLS_KEYS);
    TlsSettings.Mode mode = f.enumValue("mode", TlsSettings.Mode.class, null, true);
    String certificateChain = f.string("certificateChain", "");
    String privateKey = f.string("privateKey", "");
    String caCertificates = f.string("caCertificates", "");
    List<String> subjectAltNames = f.strings("subjectAltNames", "subjectAltNames", List.of());
    String sni = f.string("sni", "");
    return f.done(f.build(() -> new TlsSettings(mode, certificateChain, privateKey, caCertificates, subjectAltNames, sni)));
  }

  /** An endpoint address: {@code host:port}, or {@code [host]:port} for hosts with colons (IPv6). */
  record HostPort(String host, int port) {
    static HostPort parse(String address) {
      String host;
      String port;
      if (address.startsWith("[")) {
        int close = address.lastIndexOf("]:");
        if (close < 0) {
          throw new IllegalArgumentException("must be [host]:port when it starts with '[', for example [::1]:9081; was " + ReadContext.quote(address));
        }
        host = address.substring(1, close);
        port = address.substring(close + 2);
      } else {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException("must be host:port, for example 127.0.0.1:9080; was " + ReadContext.quote(address));
        }
        host = address.substring(0, colon);
        port = address.substring(colon + 1);
        if (host.indexOf(':') >= 0) {
          throw new IllegalArgumentException("must put an IPv6 address in brackets, for example [::1]:9081; was " + ReadContext.quote(address));
        }
      }
      if (!port.matches("[0-9]{1,9}")) {
        throw new IllegalArgumentException("must end with a port number from 1 to 65535; was " + ReadContext.quote(address));
      }
      return new HostPort(host, Integer.parseInt(port));
    }

    /** The address as the file writes it; the inverse of {@link #parse}. */
    static String format(String host, int port) {
      return host.indexOf(':') >= 0 || host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
    }
  }
}
