package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.api.security.RequestAuthentication;
import dev.weft.mesh.api.security.RequestAuthentication.ClaimToHeader;
import dev.weft.mesh.api.security.RequestAuthentication.JwtHeader;
import dev.weft.mesh.api.security.RequestAuthentication.JwtRule;
import dev.weft.mesh.security.internal.JwsKeys;
import dev.weft.mesh.security.internal.SafeText;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies the end-user tokens of incoming requests against the {@link RequestAuthentication}s that
 * apply to a service, with Istio's semantics: no token passes unauthenticated; a token that a rule
 * accepts makes a {@link RequestPrincipal}; any other token refuses the request.
 *
 * <p>A token is found in the places its rules name (by default {@code Authorization: Bearer} and
 * the {@code access_token} query parameter); its issuer picks the rule, which must name the place
 * it was found. The signature must be by one of the issuer's keys with an accepted algorithm
 * (RS/PS/ES 256-512 and EdDSA; never {@code none} or HMAC); {@code exp} and {@code nbf} are checked
 * against the {@link Ticker} within the rule's clock skew; {@code aud} must name one of the rule's
 * audiences when it has any. A request with two different tokens is refused, since which of them
 * speaks for the user would be a guess.
 *
 * <p>Immutable and thread-safe; a configuration change builds a new authenticator with {@link #of},
 * which takes the issuers' key sets from a {@link KeySets} that outlives it, so keys are not
 * fetched again on every change. {@link #authenticate} takes no lock; it fetches an issuer's key
 * set (blocking, bounded by the fetch timeouts) only when the cached one is stale or lacks the
 * token's key.
 */
public final class JwtAuthenticator {
  private static final JwtAuthenticator NONE = new JwtAuthenticator(List.of(), Set.of());

  private final List<CompiledRule> rules;
  private final Map<String, CompiledRule> byIssuer;
  private final List<Location> locations;
  private final Set<String> claimHeaders;

  /** What a request without a token gets: made once, as it is the same for every such request. */
  private final Result anonymous;

  private JwtAuthenticator(List<CompiledRule> rules, Set<String> claimHeaders) {
    this.rules = List.copyOf(rules);
    Map<String, CompiledRule> issuers = new HashMap<>();
    Set<Location> places = new LinkedHashSet<>();
    for (CompiledRule r : rules) {
      issuers.put(r.rule.issuer(), r);
      places.addAll(r.locations);
    }
    this.byIssuer = Map.copyOf(issuers);
    this.locations = List.copyOf(places);
    this.claimHeaders = Set.copyOf(claimHeaders);
    this.anonymous = new Result(Outcome.ANONYMOUS, Optional.empty(), "", removals(null), Map.of());
  }

  /** An authenticator with no rules: every request passes unauthenticated. */
  public static JwtAuthenticator none() {
    return NONE;
  }

  /**
   * An authenticator for {@code service}, from the resources that {@linkplain
   * RequestAuthentication#appliesTo apply to} it, with key sets from {@code keySets} and time from
   * {@code ticker}. Two resources naming the same issuer for one service are merged into the first.
   */
  public static JwtAuthenticator of(
      List<RequestAuthentication> resources, String service, KeySets keySets, Ticker ticker) {
    requireNonNull(resources, "resources");
    requireNonNull(service, "service");
    requireNonNull(keySets, "keySets");
    requireNonNull(ticker, "ticker");
    List<CompiledRule> rules = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Set<String> claimHeaders = new LinkedHashSet<>();
    for (RequestAuthentication resource : resources) {
      if (!resource.appliesTo(service)) {
        continue;
      }
      for (JwtRule rule : resource.jwtRules()) {
        if (seen.add(rule.issuer())) {
          rules.add(new CompiledRule(rule, keySets.source(rule), ticker));
          rule.outputClaimToHeaders().forEach(c -> claimHeaders.add(c.header()));
        }
      }
    }
    return rules.isEmpty() ? NONE : new JwtAuthenticator(rules, claimHeaders);
  }

  /** Whether this authenticator has no rules. */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * Headers a server must remove from every request before the application sees it, token or not:
   * those that verified claims are copied into, so that a caller cannot supply them itself.
   */
  public Set<String> claimHeaders() {
    return claimHeaders;
  }

  /**
   * Verifies the token of a request, if it has one.
   *
   * @param headers the request's headers or gRPC metadata
   * @param rawQuery the request's query, still percent-encoded, or null (gRPC has none)
   */
  public Result authenticate(RequestHeaders headers, String rawQuery) {
    if (rules.isEmpty()) {
      return Result.ANONYMOUS;
    }
    String token = null;
    Location foundAt = null;
    for (Location place : locations) {
      for (String candidate : place.tokens(headers, rawQuery)) {
        if (token == null) {
          token = candidate;
          foundAt = place;
        } else if (!token.equals(candidate)) {
          return refused("the request carries more than one token");
        }
      }
    }
    if (token == null) {
      return anonymous;
    }
    return verify(token, foundAt);
  }

  private Result verify(String token, Location foundAt) {
    SignedJWT jwt;
    String issuer;
    try {
      jwt = SignedJWT.parse(token);
      issuer = jwt.getJWTClaimsSet().getIssuer();
    } catch (ParseException | RuntimeException e) {
      return refused("the token is not a signed JWT: " + shown(e.getMessage()));
    }
    JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
    if (!JwsKeys.ACCEPTED.contains(alg)) {
      return refused("the token's algorithm " + shown(String.valueOf(alg)) + " is not accepted");
    }
    CompiledRule rule = issuer == null ? null : byIssuer.get(issuer);
    if (rule == null) {
      return refused(
          issuer == null
              ? "the token has no issuer"
              : "the token's issuer " + quoted(issuer) + " is not accepted");
    }
    if (!rule.locations.contains(foundAt)) {
      return refused(
          "issuer " + quoted(issuer) + " does not accept tokens in " + foundAt.describe());
    }
    JWTClaimsSet claims;
    try {
      claims = rule.processor.process(jwt, null);
    } catch (BadJOSEException | JOSEException | RuntimeException e) {
      return refused(
          "the token of issuer " + quoted(issuer) + " is not valid: " + shown(e.getMessage()));
    }
    RequestPrincipal principal =
        new RequestPrincipal(
            issuer,
            claims.getSubject() == null ? "" : claims.getSubject(),
            claims.getAudience() == null ? List.of() : claims.getAudience(),
            stringClaim(claims, "azp"),
            claims.getClaims());
    Map<String, String> set = new LinkedHashMap<>();
    for (ClaimToHeader out : rule.rule.outputClaimToHeaders()) {
      List<String> values = principal.claimValues(List.of(out.claim().split("\\.", -1)));
      if (!values.isEmpty()) {
        set.put(out.header(), String.join(",", values));
      }
    }
    return new Result(
        Outcome.AUTHENTICATED,
        Optional.of(principal),
        "",
        removals(rule.rule.forwardOriginalToken() ? null : foundAt),
        set);
  }

  /** Caller-controlled text for a message: escaped, and cut at 200 characters. */
  private static String shown(String text) {
    String t = text == null ? "" : text;
    return SafeText.escape(t.length() > 200 ? t.substring(0, 200) + "..." : t);
  }

  private static String quoted(String text) {
    return "'" + shown(text) + "'";
  }

  private static String stringClaim(JWTClaimsSet claims, String name) {
    Object v = claims.getClaim(name);
    return v instanceof String s ? s : "";
  }

  /** The claim headers, and the token's header unless it is forwarded. */
  private List<String> removals(Location tokenPlace) {
    if (claimHeaders.isEmpty() && (tokenPlace == null || tokenPlace.header == null)) {
      return List.of();
    }
    List<String> out = new ArrayList<>(claimHeaders);
    if (tokenPlace != null && tokenPlace.header != null && !out.contains(tokenPlace.header)) {
      out.add(tokenPlace.header);
    }
    return List.copyOf(out);
  }

  private Result refused(String problem) {
    return new Result(
        Outcome.REFUSED, Optional.empty(), problem, anonymous.removeHeaders(), Map.of());
  }

  @Override
  public String toString() {
    return "JwtAuthenticator" + rules.stream().map(r -> r.rule.issuer()).toList();
  }

  /** What verifying a request's token found. */
  public enum Outcome {
    /** The request carries no token: it proceeds without a request principal. */
    ANONYMOUS,
    /** The token is valid: the request has a {@link RequestPrincipal}. */
    AUTHENTICATED,
    /** The request carries a token that no rule accepts: it must be refused (401). */
    REFUSED
  }

  /**
   * The result of {@link #authenticate}, with what the server changes in the request before the
   * application sees it.
   *
   * @param outcome what was found
   * @param principal the end user, when authenticated
   * @param problem why the token was refused (for the audit log; it may quote the token's claims);
   *     empty otherwise
   * @param removeHeaders headers (lower case) to remove from the request: those claims are copied
   *     into, and the token's own header unless the rule forwards it
   * @param setHeaders headers (lower case) to set from verified claims, after the removals
   */
  public record Result(
      Outcome outcome,
      Optional<RequestPrincipal> principal,
      String problem,
      List<String> removeHeaders,
      Map<String, String> setHeaders) {

    /** No rules apply; nothing to change. */
    public static final Result ANONYMOUS =
        new Result(Outcome.ANONYMOUS, Optional.empty(), "", List.of(), Map.of());

    public Result {
      requireNonNull(outcome, "outcome");
      requireNonNull(principal, "principal");
      requireNonNull(problem, "problem");
      removeHeaders = List.copyOf(removeHeaders);
      setHeaders = Map.copyOf(setHeaders);
    }

    /** Whether the request must be refused. */
    public boolean refused() {
      return outcome == Outcome.REFUSED;
    }

    /** Whether the server must change the request's headers before the application sees them. */
    public boolean changesHeaders() {
      return !removeHeaders.isEmpty() || !setHeaders.isEmpty();
    }
  }

  /** Where a token may be: a header (after a prefix) or a query parameter. */
  private static final class Location {
    final String header;
    final String prefix;
    final String param;

    private Location(String header, String prefix, String param) {
      this.header = header;
      this.prefix = prefix;
      this.param = param;
    }

    static Location header(JwtHeader h) {
      return new Location(h.name(), h.prefix(), null);
    }

    static Location param(String name) {
      return new Location(null, "", name);
    }

    List<String> tokens(RequestHeaders headers, String rawQuery) {
      if (header != null) {
        List<String> values = headers.values(header);
        if (values.isEmpty()) {
          return List.of();
        }
        List<String> out = new ArrayList<>(1);
        for (String v : values) {
          if (prefix.isEmpty()) {
            addToken(out, v);
          } else if (v.regionMatches(true, 0, prefix, 0, prefix.length())) {
            addToken(out, v.substring(prefix.length()));
          }
        }
        return out;
      }
      if (rawQuery == null || rawQuery.isEmpty()) {
        return List.of();
      }
      List<String> out = new ArrayList<>(1);
      for (String pair : rawQuery.split("&", -1)) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        if (name.equals(param) && eq >= 0) {
          try {
            addToken(out, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
          } catch (IllegalArgumentException badEscape) {
            addToken(out, pair.substring(eq + 1)); // verified as it is, and refused
          }
        }
      }
      return out;
    }

    private static void addToken(List<String> out, String value) {
      String t = value.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }

    String describe() {
      return header != null ? "header '" + header + "'" : "query parameter '" + param + "'";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Location l
          && java.util.Objects.equals(header, l.header)
          && prefix.toLowerCase(Locale.ROOT).equals(l.prefix.toLowerCase(Locale.ROOT))
          && java.util.Objects.equals(param, l.param);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(header, prefix.toLowerCase(Locale.ROOT), param);
    }
  }

  private static final class CompiledRule {
    final JwtRule rule;
    final Set<Location> locations;
    final DefaultJWTProcessor<SecurityContext> processor;

    CompiledRule(JwtRule rule, JWKSource<SecurityContext> keys, Ticker ticker) {
      this.rule = rule;
      Set<Location> places = new LinkedHashSet<>();
      rule.tokenHeaders().forEach(h -> places.add(Location.header(h)));
      rule.tokenParams().forEach(p -> places.add(Location.param(p)));
      this.locations = Set.copyOf(places);
      DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
      p.setJWSTypeVerifier((type, context) -> {}); // like Envoy, any "typ" (JWT, at+jwt, none)
      p.setJWSKeySelector(JwsKeys.selector(keys));
      p.setJWSVerifierFactory(JwsKeys.verifierFactory());
      DefaultJWTClaimsVerifier<SecurityContext> claims =
          new DefaultJWTClaimsVerifier<>(
              rule.audiences().isEmpty() ? null : new HashSet<>(rule.audiences()),
              new JWTClaimsSet.Builder().issuer(rule.issuer()).build(),
              Set.of(),
              Set.of()) {
            @Override
            protected Date currentTime() {
              return new Date(ticker.currentTimeMillis());
            }
          };
      claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, rule.clockSkew().toSeconds()));
      p.setJWTClaimsSetVerifier(claims);
      this.processor = p;
    }
  }
}
