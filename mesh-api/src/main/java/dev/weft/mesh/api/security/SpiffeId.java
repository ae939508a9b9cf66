package dev.weft.mesh.api.security;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A SPIFFE ID such as {@code spiffe://weft.test/ns/default/sa/reviews}, validated as the SPIFFE ID
 * standard requires: the scheme is exactly {@code spiffe}; the trust domain is non-empty and made
 * of lower-case letters, digits, {@code .}, {@code -} and {@code _} (so no port, user info or upper
 * case); the path, if any, is made of non-empty segments of letters, digits, {@code .}, {@code -}
 * and {@code _}, none of them {@code .} or {@code ..}, with no trailing slash; no query or
 * fragment; at most 2048 bytes in all.
 *
 * <p>Istio's Kubernetes convention {@code /ns/NAMESPACE/sa/SERVICE_ACCOUNT} is understood by {@link
 * #namespace()} and {@link #serviceAccount()}. Immutable; equal when the strings are equal.
 */
public final class SpiffeId {
  private static final String SCHEME_PREFIX = "spiffe://";
  private static final int MAX_LENGTH = 2048;
  private static final int MAX_TRUST_DOMAIN_LENGTH = 255;

  private final String trustDomain;
  private final String path;
  private final String value;

  private SpiffeId(String trustDomain, String path) {
    this.trustDomain = trustDomain;
    this.path = path;
    this.value = SCHEME_PREFIX + trustDomain + path;
  }

  /**
   * Parses a SPIFFE ID.
   *
   * @throws IllegalArgumentException naming the rule broken, if {@code id} is not a valid SPIFFE ID
   */
  public static SpiffeId parse(String id) {
    requireNonNull(id, "id");
    String problem = problemWith(id);
    if (problem != null) {
      throw new IllegalArgumentException("'" + id + "' is not a valid SPIFFE ID: " + problem);
    }
    int slash = id.indexOf('/', SCHEME_PREFIX.length());
    return slash < 0
        ? new SpiffeId(id.substring(SCHEME_PREFIX.length()), "")
        : new SpiffeId(id.substring(SCHEME_PREFIX.length(), slash), id.substring(slash));
  }

  /** Parses a SPIFFE ID, or returns empty when {@code id} is not a valid one. */
  public static Optional<SpiffeId> tryParse(String id) {
    return id != null && problemWith(id) == null ? Optional.of(parse(id)) : Optional.empty();
  }

  /** The Istio-style workload ID {@code spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT}. */
  public static SpiffeId of(String trustDomain, String namespace, String serviceAccount) {
    return parse(SCHEME_PREFIX + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount);
  }

  /** Whether {@code id} is a valid SPIFFE ID. */
  public static boolean isValid(String id) {
    return id != null && problemWith(id) == null;
  }

  /** Whether {@code trustDomain} is a valid SPIFFE trust domain name. */
  public static boolean isValidTrustDomain(String trustDomain) {
    return trustDomain != null && trustDomainProblem(trustDomain) == null;
  }

  private static String problemWith(String id) {
    if (id.isEmpty()) {
      return "it is empty";
    }
    if (id.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
      return "it is longer than " + MAX_LENGTH + " bytes";
    }
    if (!id.startsWith(SCHEME_PREFIX)) {
      int colon = id.indexOf(':');
      return colon > 0 && id.substring(0, colon).equalsIgnoreCase("spiffe")
          ? "the scheme must be lower-case 'spiffe'"
          : "it must start with 'spiffe://'";
    }
    int slash = id.indexOf('/', SCHEME_PREFIX.length());
    String td =
        slash < 0
            ? id.substring(SCHEME_PREFIX.length())
            : id.substring(SCHEME_PREFIX.length(), slash);
    String tdProblem = trustDomainProblem(td);
    if (tdProblem != null) {
      return tdProblem;
    }
    return slash < 0 ? null : pathProblem(id.substring(slash));
  }

  private static String trustDomainProblem(String td) {
    if (td.isEmpty()) {
      return "the trust domain is empty";
    }
    if (td.length() > MAX_TRUST_DOMAIN_LENGTH) {
      return "the trust domain is longer than " + MAX_TRUST_DOMAIN_LENGTH + " characters";
    }
    for (int i = 0; i < td.length(); i++) {
      char ch = td.charAt(i);
      if (!((ch >= 'a' && ch <= 'z')
          || (ch >= '0' && ch <= '9')
          || ch == '.'
          || ch == '-'
          || ch == '_')) {
        if (ch >= 'A' && ch <= 'Z') {
          return "the trust domain must be lower case, found '" + ch + "'";
        }
        if (ch == ':') {
          return "the trust domain must not have a port";
        }
        if (ch == '@') {
          return "the trust domain must not have user info";
        }
        return "the trust domain may hold only a-z, 0-9, '.', '-' and '_', found '" + ch + "'";
      }
    }
    return null;
  }

  private static String pathProblem(String path) {
    // path starts with '/'
    if (path.endsWith("/")) {
      return "the path must not end with '/'";
    }
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      String segment = path.substring(start, end);
      if (segment.isEmpty()) {
        return "the path must not have empty segments ('//')";
      }
      if (segment.equals(".") || segment.equals("..")) {
        return "the path must not have '.' or '..' segments";
      }
      for (int i = 0; i < segment.length(); i++) {
        char ch = segment.charAt(i);
        if (!((ch >= 'a' && ch <= 'z')
            || (ch >= 'A' && ch <= 'Z')
            || (ch >= '0' && ch <= '9')
            || ch == '.'
            || ch == '-'
            || ch == '_')) {
          return ch == '?' || ch == '#'
              ? "a SPIFFE ID must not have a query or fragment"
              : "path segments may hold only letters, digits, '.', '-' and '_', found '" + ch + "'";
        }
      }
      start = end + 1;
    }
    return null;
  }

  /** The trust domain, for example {@code weft.test}. */
  public String trustDomain() {
    return trustDomain;
  }

  /** The path, for example {@code /ns/default/sa/reviews}; empty for a trust domain's own ID. */
  public String path() {
    return path;
  }

  /** The namespace in an Istio-style path ({@code /ns/NAMESPACE/...}), if the path has one. */
  public Optional<String> namespace() {
    return segmentAfter("ns");
  }

  /**
   * The service account in an Istio-style path ({@code .../sa/SERVICE_ACCOUNT}), if the path has
   * one.
   */
  public Optional<String> serviceAccount() {
    return segmentAfter("sa");
  }

  private Optional<String> segmentAfter(String key) {
    String[] segments = path.isEmpty() ? new String[0] : path.substring(1).split("/");
    // Istio's layout: ns/NS/sa/SA, with the keys in the even positions.
    for (int i = 0; i + 1 < segments.length; i += 2) {
      if (segments[i].equals(key)) {
        return Optional.of(segments[i + 1]);
      }
    }
    return Optional.empty();
  }

  /**
   * The ID without its scheme, as Istio writes principals: {@code weft.test/ns/default/sa/reviews}.
   */
  public String principal() {
    return trustDomain + path;
  }

  /** The URI form, {@code spiffe://trust-domain/path}. */
  @Override
  public String toString() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpiffeId other && other.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
