package dev.weft.mesh.config.file;

import static dev.weft.mesh.config.file.Schema.byStep;
import static dev.weft.mesh.config.file.Schema.derived;
import static dev.weft.mesh.config.file.Schema.key;
import static dev.weft.mesh.config.file.Schema.required;
import static dev.weft.mesh.config.file.ValueType.BOOLEAN;
import static dev.weft.mesh.config.file.ValueType.DURATION;
import static dev.weft.mesh.config.file.ValueType.INSTANT;
import static dev.weft.mesh.config.file.ValueType.INTEGER;
import static dev.weft.mesh.config.file.ValueType.LONG;
import static dev.weft.mesh.config.file.ValueType.NUMBER;
import static dev.weft.mesh.config.file.ValueType.NUMBERS;
import static dev.weft.mesh.config.file.ValueType.RETRY_CONDITIONS;
import static dev.weft.mesh.config.file.ValueType.STATUS_CODES;
import static dev.weft.mesh.config.file.ValueType.STRING;
import static dev.weft.mesh.config.file.ValueType.STRINGS;
import static dev.weft.mesh.config.file.ValueType.list;
import static dev.weft.mesh.config.file.ValueType.record;

import dev.weft.mesh.api.config.CanaryPolicy;
import dev.weft.mesh.api.config.Destination;
import dev.weft.mesh.api.config.FaultInjection;
import dev.weft.mesh.api.config.HashPolicy;
import dev.weft.mesh.api.config.HeaderMatch;
import dev.weft.mesh.api.config.HedgingPolicy;
import dev.weft.mesh.api.config.LocalRateLimit;
import dev.weft.mesh.api.config.MirrorPolicy;
import dev.weft.mesh.api.config.PathMatch;
import dev.weft.mesh.api.config.Resilience4jInstances;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.api.config.RetryPolicy;
import dev.weft.mesh.api.config.Route;
import dev.weft.mesh.api.config.RouteMatch;
import dev.weft.mesh.api.config.Service;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The schemas of services and their routes, as {@code docs/config-reference.md} describes them.
 * Declared from the leaves up, since each record's schema names the schemas of the records it
 * holds.
 */
final class RouteSchema {
  /**
   * What hedging treats as non-fatal when the file does not say: as {@link HedgingPolicy#fixed}
   * does.
   */
  static final Set<RetryOn> DEFAULT_NON_FATAL_ON = Set.of(RetryOn.UNAVAILABLE, RetryOn.FIVE_XX);

  /** The share of calls mirrored when a mirror does not say, as in Istio. */
  static final double DEFAULT_MIRROR_PERCENT = 100;

  private static final RetryPolicy RETRY_DEFAULTS = RetryPolicy.builder().build();

  static final Schema<PathMatch> PATH_MATCH =
      Schema.<PathMatch>of(
              v -> new PathMatch(v.get("kind"), v.get("value"), v.get("ignoreCase")),
              byStep(
                  "prefix", STRING, p -> kindValue(p.kind() == PathMatch.Kind.PREFIX, p.value())),
              byStep("exact", STRING, p -> kindValue(p.kind() == PathMatch.Kind.EXACT, p.value())),
              byStep("regex", STRING, p -> kindValue(p.kind() == PathMatch.Kind.REGEX, p.value())),
              key("ignoreCase", BOOLEAN, false, PathMatch::ignoreCase))
          .step(RouteSchema::pathKind);

  static final Schema<HeaderMatch> HEADER_MATCH =
      Schema.<HeaderMatch>of(
              v ->
                  new HeaderMatch(
                      v.get("name"),
                      v.get("kind"),
                      v.get("value"),
                      v.get("rangeStart"),
                      v.get("rangeEnd"),
                      v.get("invert"),
                      v.get("ignoreCase")),
              required("name", STRING, null, HeaderMatch::name),
              byStep(
                  "exact", STRING, h -> kindValue(h.kind() == HeaderMatch.Kind.EXACT, h.value())),
              byStep(
                  "prefix", STRING, h -> kindValue(h.kind() == HeaderMatch.Kind.PREFIX, h.value())),
              byStep(
                  "suffix", STRING, h -> kindValue(h.kind() == HeaderMatch.Kind.SUFFIX, h.value())),
              byStep(
                  "contains",
                  STRING,
                  h -> kindValue(h.kind() == HeaderMatch.Kind.CONTAINS, h.value())),
              byStep(
                  "regex", STRING, h -> kindValue(h.kind() == HeaderMatch.Kind.REGEX, h.value())),
              byStep(
                  "present", BOOLEAN, h -> kindValue(h.kind() == HeaderMatch.Kind.PRESENT, true)),
              byStep(
                  "range",
                  ValueType.readByStep(RouteSchema::range, "start", "end"),
                  h -> kindValue(h.kind() == HeaderMatch.Kind.RANGE, h)),
              key("invert", BOOLEAN, false, HeaderMatch::invert),
              key("ignoreCase", BOOLEAN, false, HeaderMatch::ignoreCase))
          .step(RouteSchema::headerKind);

  static final Schema<RouteMatch> MATCH =
      Schema.<RouteMatch>of(
          v -> new RouteMatch(v.get("path"), v.get("methods"), v.get("headers")),
          key("path", record(PATH_MATCH), PathMatch.ANY, RouteMatch::path),
          key("methods", STRINGS, List.of(), RouteMatch::methods),
          key("headers", list(HEADER_MATCH), List.of(), RouteMatch::headers));

  static final Schema<Destination> DESTINATION =
      Schema.<Destination>of(
          v -> new Destination(v.get("cluster"), v.get("subset"), v.get("weight")),
          required("cluster", STRING, null, Destination::cluster),
          key("subset", STRING, "", Destination::subset),
          key("weight", INTEGER, 1, Destination::weight));

  static final Schema<RetryPolicy> RETRY =
      Schema.<RetryPolicy>of(
          v ->
              new RetryPolicy(
                  v.get("maxAttempts"),
                  v.get("perTryTimeout"),
                  v.get("retryOn"),
                  v.get("retriableStatusCodes"),
                  v.get("initialBackoff"),
                  v.get("maxBackoff"),
                  v.get("retryNonIdempotent")),
          key("maxAttempts", INTEGER, RETRY_DEFAULTS.maxAttempts(), RetryPolicy::maxAttempts),
          key(
              "perTryTimeout",
              DURATION,
              RETRY_DEFAULTS.perTryTimeout(),
              RetryPolicy::perTryTimeout),
          key("retryOn", RETRY_CONDITIONS, RETRY_DEFAULTS.retryOn(), RetryPolicy::retryOn),
          key("retriableStatusCodes", STATUS_CODES, Set.of(), RetryPolicy::retriableStatusCodes),
          key(
              "initialBackoff",
              DURATION,
              RETRY_DEFAULTS.initialBackoff(),
              RetryPolicy::initialBackoff),
          key("maxBackoff", DURATION, RETRY_DEFAULTS.maxBackoff(), RetryPolicy::maxBackoff),
          key(
              "retryNonIdempotent",
              BOOLEAN,
              RETRY_DEFAULTS.retryNonIdempotent(),
              RetryPolicy::retryNonIdempotent));

  static final Schema<HedgingPolicy> HEDGING =
      Schema.<HedgingPolicy>of(
          v ->
              new HedgingPolicy(
                  v.get("maxAttempts"),
                  v.get("delay"),
                  v.get("delayPercentile"),
                  v.get("nonFatalOn")),
          required("maxAttempts", INTEGER, 1, HedgingPolicy::maxAttempts),
          key("delay", DURATION, Duration.ZERO, HedgingPolicy::delay),
          key("delayPercentile", NUMBER, 0.0, HedgingPolicy::delayPercentile),
          key("nonFatalOn", RETRY_CONDITIONS, DEFAULT_NON_FATAL_ON, HedgingPolicy::nonFatalOn));

  static final Schema<FaultInjection.Delay> FAULT_DELAY =
      Schema.<FaultInjection.Delay>of(
          v -> new FaultInjection.Delay(v.get("fixedDelay"), v.get("percent")),
          required("fixedDelay", DURATION, Duration.ZERO, FaultInjection.Delay::fixedDelay),
          required("percent", NUMBER, 0.0, FaultInjection.Delay::percent));

  static final Schema<FaultInjection.Abort> FAULT_ABORT =
      Schema.<FaultInjection.Abort>of(
          v ->
              new FaultInjection.Abort(
                  v.get("httpStatus"),
                  v.<String>get("grpcStatus").toUpperCase(Locale.ROOT),
                  v.get("percent")),
          key(
              "httpStatus",
              INTEGER,
              FaultInjection.Abort.NONE.httpStatus(),
              FaultInjection.Abort::httpStatus),
          key(
              "grpcStatus",
              STRING,
              FaultInjection.Abort.NONE.grpcStatus(),
              FaultInjection.Abort::grpcStatus),
          required("percent", NUMBER, 0.0, FaultInjection.Abort::percent));

  static final Schema<FaultInjection> FAULT =
      Schema.<FaultInjection>of(
          v -> new FaultInjection(v.get("delay"), v.get("abort"), v.get("headers")),
          key("delay", record(FAULT_DELAY), FaultInjection.Delay.NONE, FaultInjection::delay),
          key("abort", record(FAULT_ABORT), FaultInjection.Abort.NONE, FaultInjection::abort),
          key("headers", list(HEADER_MATCH), List.of(), FaultInjection::headers));

  static final Schema<MirrorPolicy> MIRROR =
      Schema.<MirrorPolicy>of(
          v -> new MirrorPolicy(v.get("cluster"), v.get("subset"), v.get("percent")),
          required("cluster", STRING, null, MirrorPolicy::cluster),
          key("subset", STRING, "", MirrorPolicy::subset),
          key("percent", NUMBER, DEFAULT_MIRROR_PERCENT, MirrorPolicy::percent));

  static final Schema<HashPolicy> HASH_POLICY =
      Schema.<HashPolicy>of(
              v -> new HashPolicy(v.get("kind"), v.get("name"), v.get("terminal")),
              byStep(
                  "header", STRING, h -> kindValue(h.kind() == HashPolicy.Kind.HEADER, h.name())),
              byStep(
                  "callKey", BOOLEAN, h -> kindValue(h.kind() == HashPolicy.Kind.CALL_KEY, true)),
              key("terminal", BOOLEAN, false, HashPolicy::terminal))
          .step(RouteSchema::hashKind);

  static final Schema<LocalRateLimit> RATE_LIMIT =
      Schema.<LocalRateLimit>of(
          v ->
              new LocalRateLimit(v.get("maxTokens"), v.get("tokensPerFill"), v.get("fillInterval")),
          required("maxTokens", LONG, 0L, LocalRateLimit::maxTokens),
          derived("tokensPerFill", LONG, v -> v.get("maxTokens"), LocalRateLimit::tokensPerFill),
          key(
              "fillInterval",
              DURATION,
              LocalRateLimit.UNLIMITED.fillInterval(),
              LocalRateLimit::fillInterval));

  /** The application's Resilience4j instances a route or a cluster names. */
  static final Schema<Resilience4jInstances> RESILIENCE4J =
      Schema.<Resilience4jInstances>of(
          v ->
              new Resilience4jInstances(
                  v.get("circuitBreaker"), v.get("bulkhead"), v.get("rateLimiter")),
          key("circuitBreaker", STRING, "", Resilience4jInstances::circuitBreaker),
          key("bulkhead", STRING, "", Resilience4jInstances::bulkhead),
          key("rateLimiter", STRING, "", Resilience4jInstances::rateLimiter));

  static final Schema<CanaryPolicy.Promotion> PROMOTION =
      Schema.<CanaryPolicy.Promotion>of(
          v -> new CanaryPolicy.Promotion(v.get("steps"), v.get("interval"), v.get("startTime")),
          required("steps", NUMBERS, List.of(), CanaryPolicy.Promotion::steps),
          required("interval", DURATION, Duration.ofMinutes(1), CanaryPolicy.Promotion::interval),
          key("startTime", INSTANT, null, CanaryPolicy.Promotion::startTime));

  static final Schema<CanaryPolicy> CANARY =
      Schema.<CanaryPolicy>of(
          v ->
              new CanaryPolicy(
                  v.get("baseline"),
                  v.get("canary"),
                  v.get("interval"),
                  v.get("window"),
                  v.get("minCalls"),
                  v.get("maxErrorRateIncrease"),
                  v.get("maxLatencyRatio"),
                  v.get("latencyPercentile"),
                  v.get("alpha"),
                  v.get("promotion")),
          required("baseline", STRING, "", CanaryPolicy::baseline),
          required("canary", STRING, "", CanaryPolicy::canary),
          key("interval", DURATION, CanaryPolicy.DEFAULT_INTERVAL, CanaryPolicy::interval),
          key("window", DURATION, CanaryPolicy.DEFAULT_WINDOW, CanaryPolicy::window),
          key("minCalls", INTEGER, CanaryPolicy.DEFAULT_MIN_CALLS, CanaryPolicy::minCalls),
          key(
              "maxErrorRateIncrease",
              NUMBER,
              CanaryPolicy.DEFAULT_MAX_ERROR_RATE_INCREASE,
              CanaryPolicy::maxErrorRateIncrease),
          key(
              "maxLatencyRatio",
              NUMBER,
              CanaryPolicy.DEFAULT_MAX_LATENCY_RATIO,
              CanaryPolicy::maxLatencyRatio),
          key(
              "latencyPercentile",
              NUMBER,
              CanaryPolicy.DEFAULT_LATENCY_PERCENTILE,
              CanaryPolicy::latencyPercentile),
          key("alpha", NUMBER, CanaryPolicy.DEFAULT_ALPHA, CanaryPolicy::alpha),
          key(
              "promotion",
              record(PROMOTION),
              CanaryPolicy.Promotion.NONE,
              p -> p.promotion().enabled() ? p.promotion() : null));

  static final Schema<Route> ROUTE =
      Schema.<Route>of(
          v ->
              new Route(
                  v.get("name"),
                  v.get("match"),
                  v.get("destinations"),
                  v.get("timeout"),
                  v.get("retry"),
                  v.get("hedging"),
                  v.get("fault"),
                  v.get("mirrors"),
                  v.get("hashPolicies"),
                  v.get("rateLimit"),
                  v.get("resilience4j"),
                  v.get("canary")),
          derived("name", STRING, v -> "route-" + v.index(), Route::name),
          key("match", record(MATCH), RouteMatch.ANY, Route::match),
          required("destinations", list(DESTINATION), List.of(), Route::destinations),
          key("timeout", DURATION, Duration.ZERO, Route::timeout),
          key("retry", record(RETRY), RetryPolicy.NONE, Route::retry),
          key("hedging", record(HEDGING), HedgingPolicy.NONE, Route::hedging),
          key("fault", record(FAULT), FaultInjection.NONE, Route::fault),
          key("mirrors", list(MIRROR), List.of(), Route::mirrors),
          key("hashPolicies", list(HASH_POLICY), List.of(), Route::hashPolicies),
          key("rateLimit", record(RATE_LIMIT), LocalRateLimit.UNLIMITED, Route::rateLimit),
          key(
              "resilience4j",
              record(RESILIENCE4J),
              Resilience4jInstances.NONE,
              Route::resilience4j),
          key(
              "canary",
              record(CANARY),
              CanaryPolicy.NONE,
              r -> r.canary().enabled() ? r.canary() : null));

  static final Schema<Service> SERVICE =
      Schema.<Service>of(
          v -> new Service(v.name(), v.get("routes")),
          required("routes", list(ROUTE), List.of(), Service::routes));

  /**
   * The value a kind's key writes: {@code value} when the record is of that kind, otherwise
   * nothing.
   */
  private static <T> T kindValue(boolean isKind, T value) {
    return isKind ? value : null;
  }

  private static Object range(HeaderMatch h) {
    Map<String, Object> range = new LinkedHashMap<>();
    range.put("start", h.rangeStart());
    range.put("end", h.rangeEnd());
    return range;
  }

  /** A path match is exactly one of its kinds' keys, whose value is the path. */
  private static void pathKind(Fields f, Schema.Values v, List<String> kinds) {
    String chosen = oneOf(f, kinds, "kind", "value");
    v.put("kind", chosen == null ? null : PathMatch.Kind.valueOf(chosen.toUpperCase(Locale.ROOT)));
    v.put("value", chosen == null ? null : f.requiredString(chosen, "value"));
    if (chosen != null) {
      f.locate("kind", f.at(chosen));
    }
  }

  private static void headerKind(Fields f, Schema.Values v, List<String> kinds) {
    String chosen = oneOf(f, kinds, "kind", "value");
    HeaderMatch.Kind kind =
        chosen == null ? null : HeaderMatch.Kind.valueOf(chosen.toUpperCase(Locale.ROOT));
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
            f.problem(
                f.at("present"),
                "must be true; to match requests that lack the header, write 'present: true' with 'invert: true'");
          }
        }
        case RANGE -> range = headerRange(f);
        default -> value = f.requiredString(chosen, "value");
      }
    }
    v.put("kind", kind).put("value", value).put("rangeStart", range[0]).put("rangeEnd", range[1]);
  }

  private static long[] headerRange(Fields f) {
    f.locate("rangeStart", f.at("range"));
    f.locate("rangeEnd", f.at("range"));
    Fields r = f.nested("range", "kind", List.of("start", "end"));
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

  private static void hashKind(Fields f, Schema.Values v, List<String> kinds) {
    String chosen = oneOf(f, kinds, "kind", "name");
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
        f.problem(
            f.at("callKey"), "must be true; to hash a header instead, write 'header: <name>'");
      }
    }
    v.put("kind", kind).put("name", name);
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
    String choices =
        String.join(", ", kinds.subList(0, kinds.size() - 1))
            + " or "
            + kinds.get(kinds.size() - 1);
    if (given.isEmpty()) {
      f.problem(f.self(), "needs one of the keys " + choices);
    } else {
      f.problem(
          f.at(given.get(1)),
          "give only one of "
              + choices
              + "; this has both '"
              + given.get(0)
              + "' and '"
              + given.get(1)
              + "'");
    }
    return null;
  }

  private RouteSchema() {}
}
