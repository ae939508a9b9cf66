package dev.weft.mesh.api.security;

import static java.util.Objects.requireNonNull;

/**
 * How a server normalizes a request's path before authorization checks it, after Istio's {@code
 * meshConfig.pathNormalization} and Envoy's {@code normalize_path}, {@code merge_slashes} and
 * {@code path_with_escaped_slashes_action}. A policy is checked against the path the server will
 * route, never against a spelling of it that the server would read differently ({@code /%61dmin},
 * {@code /a/../admin}, {@code //admin}).
 *
 * <p>Always done (Istio's {@code BASE}): percent-decoding of unreserved characters (letters,
 * digits, {@code - . _ ~}), upper-case hex in the escapes that stay, and removal of {@code .} and
 * {@code ..} segments (RFC 3986, section 5.2.4). Always refused: a NUL byte (raw or {@code %00}),
 * invalid percent-encoding, control characters, spaces and raw non-ASCII bytes.
 *
 * @param mergeSlashes whether runs of {@code /} become one (Istio's {@code MERGE_SLASHES}; Envoy's
 *     {@code merge_slashes}); on by default
 * @param escapedSlashes what happens to {@code %2F}, {@code %5C} and a literal {@code \}
 */
public record PathNormalization(boolean mergeSlashes, EscapedSlashes escapedSlashes) {

  /**
   * What to do with an escaped slash ({@code %2F}), an escaped backslash ({@code %5C}) or a literal
   * backslash, which servers disagree about.
   */
  public enum EscapedSlashes {
    /** Refuse the request with 400 (Envoy's {@code REJECT_REQUEST}); the default. */
    REJECT,
    /**
     * Keep the escapes as they are, and a backslash as a backslash (Envoy's {@code
     * KEEP_UNCHANGED}).
     */
    KEEP,
    /**
     * Read {@code %2F}, {@code %5C} and {@code \} as {@code /} before the other steps (Envoy's
     * {@code UNESCAPE_AND_FORWARD}; with {@code mergeSlashes}, Istio's {@code
     * DECODE_AND_MERGE_SLASHES}).
     */
    UNESCAPE
  }

  /** The safe default: merge slashes, refuse escaped slashes and backslashes. */
  public static final PathNormalization DEFAULT =
      new PathNormalization(true, EscapedSlashes.REJECT);

  public PathNormalization {
    requireNonNull(escapedSlashes, "escapedSlashes");
  }
}
