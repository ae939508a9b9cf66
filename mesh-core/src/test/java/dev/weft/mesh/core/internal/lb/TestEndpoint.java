package dev.weft.mesh.core.internal.lb;

import dev.weft.mesh.api.config.Endpoint;
import dev.weft.mesh.api.config.HealthStatus;
import dev.weft.mesh.api.config.Locality;
import dev.weft.mesh.api.spi.LbEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link LbEndpoint} whose live values a test sets directly. */
public final class TestEndpoint implements LbEndpoint {
  private final Endpoint endpoint;
  private volatile int weight;
  final AtomicInteger active = new AtomicInteger();
  volatile double ewmaNanos;
  volatile boolean healthy = true;

  TestEndpoint(Endpoint endpoint) {
    this.endpoint = endpoint;
    this.weight = endpoint.weight();
  }

  public static TestEndpoint of(String host) {
    return new TestEndpoint(Endpoint.of(host, 8080));
  }

  public static TestEndpoint of(String host, int weight) {
    return new TestEndpoint(Endpoint.builder(host, 8080).weight(weight).build());
  }

  public static TestEndpoint at(String host, int priority, Locality locality, int weight) {
    return new TestEndpoint(
        Endpoint.builder(host, 8080)
            .priority(priority)
            .locality(locality)
            .weight(weight)
            .health(HealthStatus.HEALTHY)
            .build());
  }

  /** Endpoints 10.0.0.1, 10.0.0.2... with the given weights. */
  public static List<TestEndpoint> weighted(int... weights) {
    List<TestEndpoint> list = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      list.add(of("10.0.0." + (i + 1), weights[i]));
    }
    return list;
  }

  /** {@code n} endpoints of weight 1: 10.0.0.1, 10.0.0.2... */
  public static List<TestEndpoint> count(int n) {
    List<TestEndpoint> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(of("10.0." + (i / 250) + "." + (i % 250 + 1)));
    }
    return list;
  }

  TestEndpoint unhealthy() {
    healthy = false;
    return this;
  }

  void setWeight(int weight) {
    this.weight = weight;
  }

  @Override
  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public int weight() {
    return weight;
  }

  @Override
  public int activeRequests() {
    return active.get();
  }

  @Override
  public double peakEwmaNanos() {
    return ewmaNanos;
  }

  @Override
  public String toString() {
    return endpoint.address();
  }
}
