package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A set of interchangeable endpoints that serve one backend, with the policies that govern
 * connections and calls to them (Envoy's Cluster, Istio's DestinationRule).
 *
 * @param name the cluster's name, unique in a configuration
 * @param endpoints the endpoints; may be empty (calls then fail with a clear error)
 * @param subsets named groups of endpoints selected by labels
 * @param loadBalancing how calls are spread over endpoints
 * @param circuitBreakers limits on concurrent calls and retries
 * @param outlierDetection ejection of misbehaving endpoints
 * @param retryBudget the bound on retries and hedged attempts to this cluster
 * @param tls how connections are secured
 * @param connectTimeout how long establishing a connection may take
 * @param resilience4j the application's Resilience4j instances that guard each call to this cluster
 */
public record Cluster(
    String name,
    List<Endpoint> endpoints,
    List<Subset> subsets,
    LoadBalancing loadBalancing,
    CircuitBreakers circuitBreakers,
    OutlierDetection outlierDetection,
    RetryBudget retryBudget,
    TlsSettings tls,
    Duration connectTimeout,
    Resilience4jInstances resilience4j) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  public Cluster {
    endpoints = Checks.listAllowingNulls(endpoints);
    subsets = Checks.listAllowingNulls(subsets);
    Checks c = Checks.start();
    c.name(name, "name");
    Checks.elementsNotNull(c, endpoints, "endpoints");
    Checks.elementsNotNull(c, subsets, "subsets");
    c.unique(endpoints, Endpoint::address, "endpoints", "endpoint address");
    c.unique(subsets, Subset::name, "subsets", "subset name");
    c.notNull(loadBalancing, "loadBalancing");
    c.notNull(circuitBreakers, "circuitBreakers");
    c.notNull(outlierDetection, "outlierDetection");
    c.notNull(retryBudget, "retryBudget");
    c.notNull(tls, "tls");
    c.positive(connectTimeout, "connectTimeout");
    c.notNull(resilience4j, "resilience4j");
    c.throwIfAny();
  }

  /** A cluster guarded by no Resilience4j instance (the components before {@code resilience4j}). */
  public Cluster(
      String name,
      List<Endpoint> endpoints,
      List<Subset> subsets,
      LoadBalancing loadBalancing,
      CircuitBreakers circuitBreakers,
      OutlierDetection outlierDetection,
      RetryBudget retryBudget,
      TlsSettings tls,
      Duration connectTimeout) {
    this(
        name,
        endpoints,
        subsets,
        loadBalancing,
        circuitBreakers,
        outlierDetection,
        retryBudget,
        tls,
        connectTimeout,
        Resilience4jInstances.NONE);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public Builder toBuilder() {
    return new Builder(name)
        .endpoints(endpoints)
        .subsets(subsets)
        .loadBalancing(loadBalancing)
        .circuitBreakers(circuitBreakers)
        .outlierDetection(outlierDetection)
        .retryBudget(retryBudget)
        .tls(tls)
        .connectTimeout(connectTimeout)
        .resilience4j(resilience4j);
  }

  /** The subset with this name, if the cluster defines one. */
  public Optional<Subset> subset(String subsetName) {
    for (Subset s : subsets) {
      if (s.name().equals(subsetName)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Builds a {@link Cluster} with defaults for everything not set; {@link #build()} validates. */
  public static final class Builder {
    private final String name;
    private List<Endpoint> endpoints = List.of();
    private List<Subset> subsets = List.of();
    private LoadBalancing loadBalancing = LoadBalancing.DEFAULT;
    private CircuitBreakers circuitBreakers = CircuitBreakers.DEFAULT;
    private OutlierDetection outlierDetection = OutlierDetection.DISABLED;
    private RetryBudget retryBudget = RetryBudget.DEFAULT;
    private TlsSettings tls = TlsSettings.DISABLED;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Resilience4jInstances resilience4j = Resilience4jInstances.NONE;

    private Builder(String name) {
      this.name = name;
    }

    public Builder endpoints(List<Endpoint> endpoints) {
      this.endpoints = endpoints;
      return this;
    }

    public Builder endpoints(Endpoint... endpoints) {
      return endpoints(List.of(endpoints));
    }

    public Builder subsets(List<Subset> subsets) {
      this.subsets = subsets;
      return this;
    }

    public Builder subsets(Subset... subsets) {
      return subsets(List.of(subsets));
    }

    public Builder loadBalancing(LoadBalancing loadBalancing) {
      this.loadBalancing = loadBalancing;
      return this;
    }

    public Builder circuitBreakers(CircuitBreakers circuitBreakers) {
      this.circuitBreakers = circuitBreakers;
      return this;
    }

    public Builder outlierDetection(OutlierDetection outlierDetection) {
      this.outlierDetection = outlierDetection;
      return this;
    }

    public Builder retryBudget(RetryBudget retryBudget) {
      this.retryBudget = retryBudget;
      return this;
    }

    public Builder tls(TlsSettings tls) {
      this.tls = tls;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** The application's Resilience4j instances that guard each call to the cluster. */
    public Builder resilience4j(Resilience4jInstances resilience4j) {
      this.resilience4j = resilience4j;
      return this;
    }

    public Cluster build() {
      return new Cluster(
          name,
          endpoints,
          subsets,
          loadBalancing,
          circuitBreakers,
          outlierDetection,
          retryBudget,
          tls,
          connectTimeout,
          resilience4j);
    }
  }
}
