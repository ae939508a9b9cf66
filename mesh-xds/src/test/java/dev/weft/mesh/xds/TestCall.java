package dev.weft.mesh.xds;

import dev.weft.mesh.core.spi.CallRequest;
import java.util.Map;

/** A call for {@code Mesh.decide}: a service, a path and headers. */
record TestCall(String service, String path, Map<String, String> headers) implements CallRequest {
  static TestCall to(String service) {
    return new TestCall(service, "/reviews.Reviews/Get", Map.of());
  }

  @Override
  public String method() {
    return "POST";
  }

  @Override
  public String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }

  @Override
  public boolean idempotent() {
    return true;
  }

  @Override
  public long timeoutNanos() {
    return Long.MAX_VALUE;
  }

  @Override
  public String spanName() {
    return service;
  }
}
