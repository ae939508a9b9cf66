package dev.weft.mesh.config.file;

import static dev.weft.mesh.config.file.Schema.byStep;
import static dev.weft.mesh.config.file.Schema.key;
import static dev.weft.mesh.config.file.Schema.required;
import static dev.weft.mesh.config.file.ValueType.BOOLEAN;
import static dev.weft.mesh.config.file.ValueType.DURATION;
import static dev.weft.mesh.config.file.ValueType.INTEGER;
import static dev.weft.mesh.config.file.ValueType.NUMBER;
import static dev.weft.mesh.config.file.ValueType.OPTIONS;
import static dev.weft.mesh.config.file.ValueType.STRING;
import static dev.weft.mesh.config.file.ValueType.STRINGS;
import static dev.weft.mesh.config.file.ValueType.STRING_MAP;
import static dev.weft.mesh.config.file.ValueType.enumOf;
import static dev.weft.mesh.config.file.ValueType.list;
import static dev.weft.mesh.config.file.ValueType.named;
import static dev.weft.mesh.config.file.ValueType.record;

import dev.weft.mesh.api.config.CircuitBreakers;
import dev.weft.mesh.api.config.Cluster;
import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.InvalidConfigException;
import dev.weft.mesh.api.config.LoadBalancing;
import dev.weft.mesh.api.config.Locality;
import dev.weft.mesh.api.config.OutlierDetection;
import dev.weft.mesh.api.config.Resilience4jInstances;
import dev.weft.mesh.api.config.RetryBudget;
import dev.weft.mesh.api.config.SlowStart;
import dev.weft.mesh.api.config.Subset;
import dev.weft.mesh.api.config.TlsSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The schemas of clusters and their parts, as {@code docs/config-reference.md} describes them.
 * Declared from the leaves up, since each record's schema names the schemas of the records it
 * holds.
 */
final class ClusterSchema {
  private static final OutlierDetection OUTLIER_DEFAULTS = OutlierDetection.builder().build();

  static final Schema<Locality> LOCALITY =
      Schema.<Locality>of(
          v -> new Locality(v.get("region"), v.get("zone"), v.get("subZone")),
          key("region", STRING, "", Locality::region),
          key("zone", STRING, "", Locality::zone),
          key("subZone", STRING, "", Locality::subZone));

  static final Schema<Endpoint> ENDPOINT =
      Schema.<Endpoint>of(
              v ->
                  new Endpoint(
                      v.get("host"),
                      v.get("port"),
                      v.get("weight"),
                      v.get("locality"),
                      v.get("priority"),
                      v.get("health"),
                      v.get("labels")),
              byStep("address", STRING, e -> HostPort.format(e.host(), e.port())),
              key("weight", INTEGER, Endpoint.DEFAULT_WEIGHT, Endpoint::weight),
              key("priority", INTEGER, 0, Endpoint::priority),
              key("health", enumOf(HealthStatus.class), HealthStatus.UNKNOWN, Endpoint::health),
              key("locality", record(LOCALITY), Locality.UNSPECIFIED, Endpoint::locality),
              key("labels", STRING_MAP, Map.of(), Endpoint::labels))
          .step(ClusterSchema::address);

  /** A subset is written as just its labels, under its name. */
  static final Schema<Subset> SUBSET =
      Schema.ofForm(ClusterSchema::subset, s -> new LinkedHashMap<>(s.labels()));

  static final Schema<SlowStart> SLOW_START =
      Schema.<SlowStart>of(
          v -> new SlowStart(v.get("window"), v.get("aggression"), v.get("minWeightPercent")),
          required("window", DURATION, SlowStart.DISABLED.window(), SlowStart::window),
          key("aggression", NUMBER, SlowStart.DISABLED.aggression(), SlowStart::aggression),
          key(
              "minWeightPercent",
              NUMBER,
              SlowStart.DISABLED.minWeightPercent(),
              SlowStart::minWeightPercent));

  static final Schema<LoadBalancing> LOAD_BALANCING =
      Schema.<LoadBalancing>of(
              v ->
                  new LoadBalancing(
                      v.get("policy"),
                      v.get("options"),
                      v.get("localityWeighted"),
                      v.get("overprovisioningFactor"),
                      v.get("panicThreshold"),
                      v.get("slowStart")),
              key("policy", STRING, LoadBalancing.DEFAULT.policy(), LoadBalancing::policy),
              key("options", OPTIONS, Map.of(), LoadBalancing::options),
              key(
                  "localityWeighted",
                  BOOLEAN,
                  LoadBalancing.DEFAULT.localityWeighted(),
                  LoadBalancing::localityWeighted),
              key(
                  "overprovisioningFactor",
                  INTEGER,
                  LoadBalancing.DEFAULT.overprovisioningFactor(),
                  LoadBalancing::overprovisioningFactor),
              key(
                      "panicThreshold",
                      NUMBER,
                      LoadBalancing.DEFAULT.panicThresholdPercent(),
                      LoadBalancing::panicThresholdPercent)
                  .model("panicThresholdPercent"),
              key(
                  "slowStart",
                  record(SLOW_START),
                  LoadBalancing.DEFAULT.slowStart(),
                  LoadBalancing::slowStart))
          .orForm(ClusterSchema::policyName);

  static final Schema<CircuitBreakers> CIRCUIT_BREAKERS =
      Schema.<CircuitBreakers>of(
          v ->
              new CircuitBreakers(
                  v.get("maxConnections"),
                  v.get("maxPendingRequests"),
                  v.get("maxRequests"),
                  v.get("maxRetries")),
          key(
              "maxConnections",
              INTEGER,
              CircuitBreakers.DEFAULT.maxConnections(),
              CircuitBreakers::maxConnections),
          key(
              "maxPendingRequests",
              INTEGER,
              CircuitBreakers.DEFAULT.maxPendingRequests(),
              CircuitBreakers::maxPendingRequests),
          key(
              "maxRequests",
              INTEGER,
              CircuitBreakers.DEFAULT.maxRequests(),
              CircuitBreakers::maxRequests),
          key(
              "maxRetries",
              INTEGER,
              CircuitBreakers.DEFAULT.maxRetries(),
              CircuitBreakers::maxRetries));

  /** Success-rate ejection: written out means on, with Envoy's defaults for what is left out. */
  static final Schema<OutlierDetection.SuccessRate> SUCCESS_RATE =
      Schema.<OutlierDetection.SuccessRate>of(
          v ->
              new OutlierDetection.SuccessRate(
                  v.get("minimumHosts"),
                  v.get("requestVolume"),
                  v.get("stdevFactor"),
                  v.get("enforcingPercent")),
          key(
              "minimumHosts",
              INTEGER,
              OutlierDetection.SuccessRate.DEFAULT.minimumHosts(),
              OutlierDetection.SuccessRate::minimumHosts),
          key(
              "requestVolume",
              INTEGER,
              OutlierDetection.SuccessRate.DEFAULT.requestVolume(),
              OutlierDetection.SuccessRate::requestVolume),
          key(
              "stdevFactor",
              NUMBER,
              OutlierDetection.SuccessRate.DEFAULT.stdevFactor(),
              OutlierDetection.SuccessRate::stdevFactor),
          key(
              "enforcingPercent",
              INTEGER,
              OutlierDetection.SuccessRate.DEFAULT.enforcingPercent(),
              OutlierDetection.SuccessRate::enforcingPercent));

  /**
   * Failure-percentage ejection: written out means on, with Envoy's defaults for what is left out.
   */
  static final Schema<OutlierDetection.FailurePercentage> FAILURE_PERCENTAGE =
      Schema.<OutlierDetection.FailurePercentage>of(
          v ->
              new OutlierDetection.FailurePercentage(
                  v.get("threshold"),
                  v.get("minimumHosts"),
                  v.get("requestVolume"),
                  v.get("enforcingPercent")),
          key(
              "threshold",
              INTEGER,
              OutlierDetection.FailurePercentage.DEFAULT.threshold(),
              OutlierDetection.FailurePercentage::threshold),
          key(
              "minimumHosts",
              INTEGER,
              OutlierDetection.FailurePercentage.DEFAULT.minimumHosts(),
              OutlierDetection.FailurePercentage::minimumHosts),
          key(
              "requestVolume",
              INTEGER,
              OutlierDetection.FailurePercentage.DEFAULT.requestVolume(),
              OutlierDetection.FailurePercentage::requestVolume),
          key(
              "enforcingPercent",
              INTEGER,
              OutlierDetection.FailurePercentage.DEFAULT.enforcingPercent(),
              OutlierDetection.FailurePercentage::enforcingPercent));

  /** Outlier detection: written out means on, unless it says {@code enabled: false}. */
  static final Schema<OutlierDetection> OUTLIER_DETECTION =
      Schema.<OutlierDetection>of(
          v ->
              new OutlierDetection(
                  v.get("enabled"),
                  v.get("interval"),
                  v.get("baseEjectionTime"),
                  v.get("maxEjectionTime"),
                  v.get("maxEjectionPercent"),
                  v.get("consecutiveFailures"),
                  v.get("consecutiveGatewayFailures"),
                  v.get("successRate"),
                  v.get("failurePercentage")),
          key("enabled", BOOLEAN, true, OutlierDetection::enabled),
          key("interval", DURATION, OUTLIER_DEFAULTS.interval(), OutlierDetection::interval),
          key(
              "baseEjectionTime",
              DURATION,
              OUTLIER_DEFAULTS.baseEjectionTime(),
              OutlierDetection::baseEjectionTime),
          key(
              "maxEjectionTime",
              DURATION,
              OUTLIER_DEFAULTS.maxEjectionTime(),
              OutlierDetection::maxEjectionTime),
          key(
              "maxEjectionPercent",
              INTEGER,
              OUTLIER_DEFAULTS.maxEjectionPercent(),
              OutlierDetection::maxEjectionPercent),
          key(
              "consecutiveFailures",
              INTEGER,
              OUTLIER_DEFAULTS.consecutiveFailures(),
              OutlierDetection::consecutiveFailures),
          key(
              "consecutiveGatewayFailures",
              INTEGER,
              OUTLIER_DEFAULTS.consecutiveGatewayFailures(),
              OutlierDetection::consecutiveGatewayFailures),
          key(
              "successRate",
              record(SUCCESS_RATE),
              OUTLIER_DEFAULTS.successRate(),
              OutlierDetection::successRate),
          key(
              "failurePercentage",
              record(FAILURE_PERCENTAGE),
              OUTLIER_DEFAULTS.failurePercentage(),
              OutlierDetection::failurePercentage));

  static final Schema<RetryBudget> RETRY_BUDGET =
      Schema.<RetryBudget>of(
          v -> new RetryBudget(v.get("percent"), v.get("minRetriesPerSecond"), v.get("ttl")),
          key("percent", NUMBER, RetryBudget.DEFAULT.percent(), RetryBudget::percent),
          key(
              "minRetriesPerSecond",
              INTEGER,
              RetryBudget.DEFAULT.minRetriesPerSecond(),
              RetryBudget::minRetriesPerSecond),
          key("ttl", DURATION, RetryBudget.DEFAULT.ttl(), RetryBudget::ttl));

  static final Schema<TlsSettings> TLS =
      Schema.<TlsSettings>of(
          v ->
              new TlsSettings(
                  v.get("mode"),
                  v.get("certificateChain"),
                  v.get("privateKey"),
                  v.get("caCertificates"),
                  v.get("subjectAltNames"),
                  v.get("sni")),
          required("mode", enumOf(TlsSettings.Mode.class), null, TlsSettings::mode),
          key("certificateChain", STRING, "", TlsSettings::certificateChain),
          key("privateKey", STRING, "", TlsSettings::privateKey),
          key("caCertificates", STRING, "", TlsSettings::caCertificates),
          key("subjectAltNames", STRINGS, List.of(), TlsSettings::subjectAltNames),
          key("sni", STRING, "", TlsSettings::sni));

  static final Schema<Cluster> CLUSTER =
      Schema.<Cluster>of(
              v ->
                  new Cluster(
                      v.name(),
                      v.get("endpoints"),
                      v.get("subsets"),
                      v.get("loadBalancing"),
                      v.get("circuitBreakers"),
                      v.get("outlierDetection"),
                      v.get("retryBudget"),
                      v.get("tls"),
                      v.get("connectTimeout"),
                      v.get("resilience4j")),
              key("endpoints", list(ENDPOINT), List.of(), Cluster::endpoints),
              key("subsets", named(SUBSET, Subset::name), List.of(), Cluster::subsets),
              key(
                  "loadBalancing",
                  record(LOAD_BALANCING),
                  LoadBalancing.DEFAULT,
                  Cluster::loadBalancing),
              key(
                  "circuitBreakers",
                  record(CIRCUIT_BREAKERS),
                  CircuitBreakers.DEFAULT,
                  Cluster::circuitBreakers),
              key(
                  "outlierDetection",
                  record(OUTLIER_DETECTION),
                  OutlierDetection.DISABLED,
                  Cluster::outlierDetection),
              key("retryBudget", record(RETRY_BUDGET), RetryBudget.DEFAULT, Cluster::retryBudget),
              key("tls", record(TLS), TlsSettings.DISABLED, Cluster::tls),
              key(
                  "connectTimeout",
                  DURATION,
                  Cluster.DEFAULT_CONNECT_TIMEOUT,
                  Cluster::connectTimeout),
              key(
                  "resilience4j",
                  record(RouteSchema.RESILIENCE4J),
                  Resilience4jInstances.NONE,
                  Cluster::resilience4j))
          // The file is rejected already. A stand-in with the cluster's name and subsets lets
          // routes that
          // name it be checked without reporting it as undefined.
          .standIn(v -> standIn(v.name(), v.get("subsets")));

  private static Cluster standIn(String name, List<Subset> subsets) {
    try {
      return Cluster.builder(name).subsets(subsets).build();
    } catch (InvalidConfigException e) {
      return null;
    }
  }

  /** An address is a host and a port, in one key. */
  private static void address(Fields f, Schema.Values v, List<String> keys) {
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
    v.put("host", host).put("port", port);
  }

  private static Fields.Read<Subset> subset(ReadContext ctx, String name, Node node, Location at) {
    Fields f = Fields.forValue(ctx, at);
    f.locate("name", at);
    f.locate("labels", at);
    Map<String, String> labels = f.stringMap(node, at, "labels");
    return f.done(f.build(() -> new Subset(name, labels)));
  }

  /** {@code loadBalancing: least_request}: a policy name alone, with the defaults for the rest. */
  private static Fields.Read<LoadBalancing> policyName(
      ReadContext ctx, String name, Node node, Location at) {
    if (!(node instanceof ScalarNode)) {
      return null;
    }
    Fields f = Fields.forValue(ctx, at);
    f.locate("policy", at);
    String policy = Scalars.text(node);
    return f.done(f.build(() -> LoadBalancing.of(policy)));
  }

  private ClusterSchema() {}
}
