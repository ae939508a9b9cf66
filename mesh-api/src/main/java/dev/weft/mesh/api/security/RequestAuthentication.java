package dev.weft.mesh.api.security;

import dev.weft.mesh.api.internal.Checks;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which end-user credentials (JSON Web Tokens) the servers of this process accept, after Istio's
 * {@code RequestAuthentication}. For every request to a service it applies to:
 *
 * <ul>
 *   <li>a request that carries no token in any of the places the rules name passes on
 *       unauthenticated (an authorization policy with {@code requestPrincipals: ["*"]} is how a
 *       token is required);
 *   <li>a request whose token is valid for one of the rules (signature from the issuer's keys,
 *       issuer, audience, expiry and not-before within the clock skew) passes with the token's
 *       claims as its <em>request principal</em> {@code iss/sub}, which policies match with {@code
 *       requestPrincipals} and {@code request.auth.*} conditions;
 *   <li>a request with a token that no rule accepts (bad signature, expired, unknown issuer, wrong
 *       audience, unsigned {@code alg: none}, malformed) is refused: 401 over HTTP, {@code
 *       UNAUTHENTICATED} over gRPC.
 * </ul>
 *
 * <p>Every record here validates in its constructor and throws {@link
 * dev.weft.mesh.api.config.InvalidConfigException} listing every problem with its field path.
 *
 * @param name names the resource in errors and status; non-blank, no white space
 * @param services the server-side services it applies to; empty means every service the process
 *     serves
 * @param jwtRules the accepted issuers; at least one
 */
public record RequestAuthentication(String name, List<String> services, List<JwtRule> jwtRules) {

  public RequestAuthentication {
    services = Checks.list(services);
    jwtRules = Checks.list(jwtRules);
    Checks v = Checks.start();
    v.name(name, "name");
    v.elementsNotNull(services, "services");
    v.elementsNotNull(jwtRules, "jwtRules");
    v.require(!jwtRules.isEmpty(), "jwtRules", "must have at least one rule");
    Set<String> issuers = new HashSet<>();
    for (int i = 0; i < jwtRules.size(); i++) {
      JwtRule r = jwtRules.get(i);
      if (r != null && !issuers.add(r.issuer())) {
        v.add("jwtRules[" + i + "].issuer", "issuer '" + r.issuer() + "' has two rules");
      }
    }
    v.throwIfAny();
  }

  /** A resource for every service of the process. */
  public static RequestAuthentication of(String name, JwtRule... rules) {
    return new RequestAuthentication(name, List.of(), List.of(rules));
  }

  /**
   * Whether this resource applies to {@code service} (always, when {@link #services()} is empty).
   */
  public boolean appliesTo(String service) {
    return services.isEmpty() || services.contains(service);
  }

  /**
   * One accepted issuer: where its keys are, which audiences it must name, and where a request
   * carries its tokens.
   *
   * @param issuer the token's {@code iss} claim must equal this
   * @param audiences the token's {@code aud} must name one of these; empty accepts any audience
   * @param jwksUri where the issuer's JSON Web Key Set is fetched from ({@code https}, or {@code
   *     http} for a local endpoint); exactly one of {@code jwksUri} and {@code jwks} is set
   * @param jwks the issuer's JSON Web Key Set inline, as JSON
   * @param fromHeaders the headers that carry a token; when both this and {@code fromParams} are
   *     empty, {@code Authorization: Bearer <token>} and the {@code access_token} query parameter
   * @param fromParams the query parameters that carry a token
   * @param outputClaimToHeaders claims copied into request headers for the application, once the
   *     token is verified (any such header the caller sent is removed first, token or not)
   * @param forwardOriginalToken whether the application still sees the header that carried the
   *     token; by default it is removed once verified
   * @param clockSkew how far {@code exp} and {@code nbf} may be off; default 60 seconds
   * @param jwksCacheDuration how long fetched keys are used before they are fetched again; default
   *     5 minutes. Keys are also fetched on an unknown key id, at most once per {@code
   *     jwksRefreshMinInterval}; while the endpoint is down the keys last fetched stay in use
   * @param jwksRefreshMinInterval the least time between two fetches of the key set; default 30 s
   */
  public record JwtRule(
      String issuer,
      List<String> audiences,
      String jwksUri,
      String jwks,
      List<JwtHeader> fromHeaders,
      List<String> fromParams,
      List<ClaimToHeader> outputClaimToHeaders,
      boolean forwardOriginalToken,
      Duration clockSkew,
      Duration jwksCacheDuration,
      Duration jwksRefreshMinInterval) {

    /** Envoy's and Istio's default clock skew. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

    /** How long fetched keys are used by default. */
    public static final Duration DEFAULT_JWKS_CACHE_DURATION = Duration.ofMinutes(5);

    /** The least time between two fetches of a key set by default. */
    public static final Duration DEFAULT_JWKS_REFRESH_MIN_INTERVAL = Duration.ofSeconds(30);

    public JwtRule {
      audiences = Checks.list(audiences);
      fromHeaders = Checks.list(fromHeaders);
      fromParams = Checks.list(fromParams);
      outputClaimToHeaders = Checks.list(outputClaimToHeaders);
      clockSkew = clockSkew == null ? DEFAULT_CLOCK_SKEW : clockSkew;
      jwksCacheDuration =
          jwksCacheDuration == null ? DEFAULT_JWKS_CACHE_DURATION : jwksCacheDuration;
      jwksRefreshMinInterval =
          jwksRefreshMinInterval == null
              ? DEFAULT_JWKS_REFRESH_MIN_INTERVAL
              : jwksRefreshMinInterval;
      Checks v = Checks.start();
      if (v.notNull(issuer, "issuer")) {
        v.require(!issuer.isBlank(), "issuer", "must not be blank");
      }
      v.elementsNotNull(audiences, "audiences");
      boolean hasUri = jwksUri != null && !jwksUri.isBlank();
      boolean hasInline = jwks != null && !jwks.isBlank();
      if (hasUri == hasInline) {
        v.add("jwksUri", "exactly one of jwksUri and jwks must be set");
      }
      if (hasUri) {
        checkJwksUri(v, jwksUri);
      }
      if (hasInline) {
        String t = jwks.strip();
        v.require(
            t.startsWith("{") && t.endsWith("}") && t.contains("\"keys\""),
            "jwks",
            "must be a JSON Web Key Set: a JSON object with \"keys\"");
      }
      v.elementsNotNull(fromHeaders, "fromHeaders");
      v.elementsNotNull(fromParams, "fromParams");
      for (int i = 0; i < fromParams.size(); i++) {
        String p = fromParams.get(i);
        if (p != null
            && (p.isBlank() || p.chars().anyMatch(c -> c <= ' ' || c == '&' || c == '='))) {
          v.add("fromParams[" + i + "]", "'" + p + "' is not a query parameter name");
        }
      }
      v.elementsNotNull(outputClaimToHeaders, "outputClaimToHeaders");
      v.nonNegative(clockSkew, "clockSkew");
      v.positive(jwksCacheDuration, "jwksCacheDuration");
      v.nonNegative(jwksRefreshMinInterval, "jwksRefreshMinInterval");
      v.throwIfAny();
    }

    /** A rule for {@code issuer} whose keys are fetched from {@code jwksUri}, with the defaults. */
    public static JwtRule remote(String issuer, String jwksUri, String... audiences) {
      return new JwtRule(
          issuer,
          List.of(audiences),
          jwksUri,
          null,
          List.of(),
          List.of(),
          List.of(),
          false,
          null,
          null,
          null);
    }

    /** A rule for {@code issuer} with its key set given inline as JSON, with the defaults. */
    public static JwtRule inline(String issuer, String jwksJson, String... audiences) {
      return new JwtRule(
          issuer,
          List.of(audiences),
          null,
          jwksJson,
          List.of(),
          List.of(),
          List.of(),
          false,
          null,
          null,
          null);
    }

    /**
     * The headers tokens are read from: {@code fromHeaders}; when neither {@code fromHeaders} nor
     * {@code fromParams} is set, Envoy's default {@code Authorization: Bearer}.
     */
    public List<JwtHeader> tokenHeaders() {
      return fromHeaders.isEmpty() && fromParams.isEmpty()
          ? List.of(JwtHeader.AUTHORIZATION_BEARER)
          : fromHeaders;
    }

    /**
     * The query parameters tokens are read from: {@code fromParams}; when neither {@code
     * fromHeaders} nor {@code fromParams} is set, Envoy's default {@code access_token}.
     */
    public List<String> tokenParams() {
      return fromHeaders.isEmpty() && fromParams.isEmpty() ? List.of("access_token") : fromParams;
    }

    private static void checkJwksUri(Checks v, String uri) {
      try {
        URI u = new URI(uri);
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
          v.add("jwksUri", "must be an https (or http) URI, was '" + uri + "'");
        } else if (u.getHost() == null) {
          v.add("jwksUri", "has no host: '" + uri + "'");
        }
      } catch (java.net.URISyntaxException e) {
        v.add("jwksUri", "is not a URI: " + e.getMessage());
      }
    }
  }

  /**
   * A header that carries a token, optionally after a prefix ({@code "Bearer "}).
   *
   * @param name the header name, compared without regard to case
   * @param prefix what comes before the token in the header's value; empty for none
   */
  public record JwtHeader(String name, String prefix) {
    /** {@code Authorization: Bearer <token>}, the default. */
    public static final JwtHeader AUTHORIZATION_BEARER = new JwtHeader("authorization", "Bearer ");

    public JwtHeader {
      prefix = prefix == null ? "" : prefix;
      Checks v = Checks.start();
      if (v.notNull(name, "name")) {
        v.require(HeaderNames.isToken(name), "name", "'%s' is not a header name", name);
        name = name.toLowerCase(Locale.ROOT);
      }
      v.throwIfAny();
    }
  }

  /**
   * A claim copied into a request header for the application.
   *
   * @param header the header to set; any value of it the caller sent is removed
   * @param claim the claim's name; nested claims are written with dots ({@code realm.role}); a list
   *     becomes comma-separated values; an object or a missing claim sets nothing
   */
  public record ClaimToHeader(String header, String claim) {
    public ClaimToHeader {
      Checks v = Checks.start();
      if (v.notNull(header, "header")) {
        v.require(HeaderNames.isToken(header), "header", "'%s' is not a header name", header);
        v.require(
            !header.equalsIgnoreCase("host") && !header.equalsIgnoreCase("authorization"),
            "header",
            "'%s' may not be set from a claim",
            header);
        header = header.toLowerCase(Locale.ROOT);
      }
      if (v.notNull(claim, "claim")) {
        v.require(!claim.isBlank(), "claim", "must not be blank");
      }
      v.throwIfAny();
    }
  }

  /** RFC 9110 token characters, which a header name consists of. */
  static final class HeaderNames {
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    static boolean isToken(String s) {
      if (s.isEmpty()) {
        return false;
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || TCHAR_SYMBOLS.indexOf(c) >= 0;
        if (!ok) {
          return false;
        }
      }
      return true;
    }

    private HeaderNames() {}
  }
}
