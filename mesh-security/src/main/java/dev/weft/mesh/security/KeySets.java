package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import dev.weft.mesh.api.security.RequestAuthentication.JwtRule;
import dev.weft.mesh.security.internal.SafeText;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuers' JSON Web Key Sets, kept across configuration changes: a rule with a {@code jwksUri}
 * gets the same cached source for as long as its URI and cache settings stay the same, so keys are
 * not fetched again when an unrelated part of the configuration changes.
 *
 * <p>Fetched sets are cached for the rule's {@code jwksCacheDuration}; a token with a key id that
 * the cached set lacks makes the set be fetched again, at most once per {@code
 * jwksRefreshMinInterval}, so that a rotated-in key is found and a rotated-out key stops being
 * accepted; while the endpoint is unreachable the set last fetched stays in use (for up to a day),
 * so cached keys keep working and unknown keys fail closed. Built on nimbus-jose-jwt's {@code
 * JWKSourceBuilder}.
 */
public final class KeySets {
  private static final Duration OUTAGE_TOLERANCE = Duration.ofDays(1);
  private static final Logger log = LoggerFactory.getLogger(KeySets.class);

  private final ResourceRetriever retriever;
  private final ConcurrentHashMap<Key, JWKSource<SecurityContext>> remote =
      new ConcurrentHashMap<>();

  private KeySets(ResourceRetriever retriever) {
    this.retriever = retriever;
  }

  /**
   * Key sets fetched over HTTP(S) with the JDK's trust store, 2 s connect and read timeouts, and at
   * most 512 KiB per set.
   */
  public static KeySets create() {
    return new KeySets(new DefaultResourceRetriever(2_000, 2_000, 512 * 1024));
  }

  /** Key sets fetched with {@code retriever} (for a trust store or proxy of your own). */
  public static KeySets create(ResourceRetriever retriever) {
    return new KeySets(requireNonNull(retriever, "retriever"));
  }

  /**
   * The key source for {@code rule}: its inline set, or the cached source for its URI. An inline
   * set that is not a JSON Web Key Set is logged and gives no keys, so the issuer's tokens are
   * refused (fail closed) while the rest of the configuration applies.
   */
  JWKSource<SecurityContext> source(JwtRule rule) {
    if (rule.jwks() != null && !rule.jwks().isBlank()) {
      try {
        return new ImmutableJWKSet<>(JWKSet.parse(rule.jwks()));
      } catch (ParseException | RuntimeException e) {
        log.error(
            "the inline jwks of issuer '{}' is not a JSON Web Key Set ({}); its tokens are refused",
            SafeText.escape(rule.issuer()),
            SafeText.escape(e.getMessage()));
        return new ImmutableJWKSet<>(new JWKSet());
      }
    }
    Key key = new Key(rule.jwksUri(), rule.jwksCacheDuration(), rule.jwksRefreshMinInterval());
    return remote.computeIfAbsent(key, this::build);
  }

  private JWKSource<SecurityContext> build(Key key) {
    try {
      long ttl = key.cache.toMillis();
      long minInterval = key.minInterval.toMillis();
      JWKSourceBuilder<SecurityContext> b =
          JWKSourceBuilder.<SecurityContext>create(URI.create(key.uri).toURL(), retriever)
              .cache(ttl, Math.min(ttl, 15_000))
              .retrying(false)
              .outageTolerant(OUTAGE_TOLERANCE.toMillis());
      b = minInterval > 0 ? b.rateLimited(minInterval) : b.rateLimited(false);
      return b.build();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("jwksUri '" + key.uri + "' is not a URL", e);
    }
  }

  /**
   * Forgets the key sets of URIs that none of {@code inForce} names any more, so that a long
   * sequence of configuration changes does not hold every issuer ever configured.
   */
  void retain(java.util.List<dev.weft.mesh.api.security.RequestAuthentication> inForce) {
    java.util.Set<Key> used = new java.util.HashSet<>();
    for (var resource : inForce) {
      for (JwtRule rule : resource.jwtRules()) {
        if (rule.jwksUri() != null && !rule.jwksUri().isBlank()) {
          used.add(
              new Key(rule.jwksUri(), rule.jwksCacheDuration(), rule.jwksRefreshMinInterval()));
        }
      }
    }
    remote.keySet().retainAll(used);
  }

  /** How many remote key sets are held. */
  int remoteCount() {
    return remote.size();
  }

  private record Key(String uri, Duration cache, Duration minInterval) {}
}
