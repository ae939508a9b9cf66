package dev.weft.mesh.kubernetes.internal;

/** A Gateway API route that cannot be applied, with the field that makes it so. */
public final class RouteRejectedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String field;

  RouteRejectedException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /**
   * The field path inside the resource, for example {@code spec.rules[0].matches[1].path.value}.
   */
  public String field() {
    return field;
  }
}
