package dev.weft.mesh.core;

import dev.weft.mesh.core.spi.CallRequest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** A {@link CallRequest} for engine tests. */
final class TestRequest implements CallRequest {
  private final String service;
  private String path = "/";
  private String method = "GET";
  private final Map<String, String> headers = new HashMap<>();
  private boolean idempotent = true;
  private long timeoutNanos = Long.MAX_VALUE;

  private TestRequest(String service) {
    this.service = service;
  }

  static TestRequest to(String service) {
    return new TestRequest(service);
  }

  TestRequest path(String p) {
    this.path = p;
    return this;
  }

  TestRequest method(String m) {
    this.method = m;
    return this;
  }

  TestRequest header(String name, String value) {
    headers.put(name.toLowerCase(Locale.ROOT), value);
    return this;
  }

  TestRequest idempotent(boolean i) {
    this.idempotent = i;
    return this;
  }

  TestRequest timeoutMillis(long ms) {
    this.timeoutNanos = ms * 1_000_000L;
    return this;
  }

  @Override
  public String service() {
    return service;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }

  @Override
  public boolean idempotent() {
    return idempotent;
  }

  @Override
  public long timeoutNanos() {
    return timeoutNanos;
  }

  @Override
  public String spanName() {
    return service + " " + method + " " + path;
  }
}
