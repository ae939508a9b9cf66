package dev.weft.mesh.api.config;

import java.util.List;

/**
 * A mesh configuration was rejected. Carries every problem found, not just the first, so that a
 * user can fix a file in one pass. A rejected configuration is never applied in part: the
 * configuration in force stays in force.
 */
public final class InvalidConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigViolation> violations;
  private final String source;

  /** A rejection of configuration from {@code source} (a file name, "xDS", "builder"...). */
  public InvalidConfigException(String source, List<ConfigViolation> violations) {
    super(format(source, violations));
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an InvalidConfigException needs at least one violation");
    }
    this.source = source;
    this.violations = List.copyOf(violations);
  }

  /** A rejection found by model validation, with no source named. */
  public InvalidConfigException(List<ConfigViolation> violations) {
    this("", violations);
  }

  /** Every problem found, in the order found. */
  public List<ConfigViolation> violations() {
    return violations;
  }

  /** Where the rejected configuration came from, or empty. */
  public String source() {
    return source;
  }

  private static String format(String source, List<ConfigViolation> violations) {
    StringBuilder sb = new StringBuilder("invalid mesh configuration");
    if (!source.isEmpty()) {
      sb.append(" from ").append(source);
    }
    sb.append(" (")
        .append(violations.size())
        .append(violations.size() == 1 ? " problem" : " problems");
    sb.append("):");
    for (ConfigViolation v : violations) {
      sb.append("\n  - ").append(v);
    }
    return sb.toString();
  }
}
