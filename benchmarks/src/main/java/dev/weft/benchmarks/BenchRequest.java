package dev.weft.benchmarks;

import dev.weft.mesh.core.spi.CallRequest;

/** A fixed request with one header, allocation-free to read. */
final class BenchRequest implements CallRequest {
  private final String service;
  private final String path;
  private final String method;
  private final String headerName;
  private final String headerValue;

  BenchRequest(String service, String path, String method, String headerName, String headerValue) {
    this.service = service;
    this.path = path;
    this.method = method;
    this.headerName = headerName;
    this.headerValue = headerValue;
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
    return headerName.equals(lowerCaseName) ? headerValue : null;
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
    return method;
  }
}
