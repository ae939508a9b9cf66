package dev.weft.mesh.testing.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A token issuer for tests: signing keys (RSA, ECDSA P-256, Ed25519) made on the spot, a JSON Web
 * Key Set served on a loopback HTTP endpoint that can be changed (rotation) and stopped (outage),
 * and tokens signed with any of the keys. Needs nimbus-jose-jwt on the class path.
 *
 * <pre>{@code
 * try (TestIssuer issuer = TestIssuer.start("https://issuer.test")) {
 *   String token = issuer.token(c -> c.subject("alice").audience("bookinfo"));
 *   JwtRule rule = JwtRule.remote(issuer.issuer(), issuer.jwksUri(), "bookinfo");
 * }
 * }</pre>
 */
public final class TestIssuer implements AutoCloseable {
  /** A signing key and its public half as published. */
  public record SigningKey(String kid, JWSAlgorithm algorithm, JWK publicJwk, Object privateKey) {}

  private final String issuer;
  private final Map<String, SigningKey> keys = new LinkedHashMap<>();
  private volatile List<String> published = List.of();
  private final AtomicInteger fetches = new AtomicInteger();
  private HttpServer server;
  private int port;

  private TestIssuer(String issuer) {
    this.issuer = issuer;
  }

  /** An issuer named {@code issuer} with one RSA key {@code rsa-1}, serving its key set. */
  public static TestIssuer start(String issuer) {
    TestIssuer t = new TestIssuer(issuer);
    t.addRsaKey("rsa-1");
    t.publish("rsa-1");
    t.startServer(0);
    return t;
  }

  /** The issuer's name, the {@code iss} of its tokens. */
  public String issuer() {
    return issuer;
  }

  /** Where its key set is served: {@code http://127.0.0.1:PORT/jwks.json}. */
  public String jwksUri() {
    return "http://127.0.0.1:" + port + "/jwks.json";
  }

  /** How many times the key set was fetched. */
  public int fetches() {
    return fetches.get();
  }

  /** Adds an RSA (RS256) key; not published until {@link #publish}. */
  public TestIssuer addRsaKey(String kid) {
    try {
      RSAKey k = new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
      keys.put(kid, new SigningKey(kid, JWSAlgorithm.RS256, k.toPublicJWK(), k));
      return this;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Adds an ECDSA P-256 (ES256) key; not published until {@link #publish}. */
  public TestIssuer addEcKey(String kid) {
    try {
      ECKey k = new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
      keys.put(kid, new SigningKey(kid, JWSAlgorithm.ES256, k.toPublicJWK(), k));
      return this;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Adds an Ed25519 (EdDSA) key, made and used by the JDK; not published until {@link #publish}.
   */
  public TestIssuer addEd25519Key(String kid) {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] spki = pair.getPublic().getEncoded();
      byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
      OctetKeyPair jwk =
          new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x))
              .keyID(kid)
              .keyUse(KeyUse.SIGNATURE)
              .build();
      keys.put(kid, new SigningKey(kid, JWSAlgorithm.EdDSA, jwk, pair.getPrivate()));
      return this;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Publishes exactly these keys in the served key set (rotation). */
  public TestIssuer publish(String... kids) {
    for (String kid : kids) {
      if (!keys.containsKey(kid)) {
        throw new IllegalArgumentException("no key " + kid);
      }
    }
    published = List.of(kids);
    return this;
  }

  /** The served key set as JSON (for an inline {@code jwks}). */
  public String jwksJson() {
    List<JWK> jwks = new ArrayList<>();
    for (String kid : published) {
      jwks.add(keys.get(kid).publicJwk());
    }
    return new JWKSet(jwks).toString(true);
  }

  /** Stops serving the key set (an outage); {@link #resume()} serves it again on the same port. */
  public void stop() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  /** Serves the key set again on the same port after {@link #stop()}. */
  public void resume() {
    if (server == null) {
      startServer(port);
    }
  }

  /**
   * A token signed with the first published key: {@code iss} is this issuer, {@code iat} now,
   * {@code exp} in an hour, then {@code claims} adjusts it.
   */
  public String token(Consumer<JWTClaimsSet.Builder> claims) {
    return token(published.get(0), claims);
  }

  /** A token signed with key {@code kid} (published or not). */
  public String token(String kid, Consumer<JWTClaimsSet.Builder> claims) {
    SigningKey key = keys.get(kid);
    if (key == null) {
      throw new IllegalArgumentException("no key " + kid);
    }
    Instant now = Instant.now();
    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(3600)));
    claims.accept(b);
    return sign(key, b.build());
  }

  private static String sign(SigningKey key, JWTClaimsSet claims) {
    JWSHeader header = new JWSHeader.Builder(key.algorithm()).keyID(key.kid()).build();
    try {
      if (key.privateKey() instanceof PrivateKey ed) {
        String input =
            header.toBase64URL()
                + "."
                + Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(ed);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64URL.encode(s.sign());
      }
      JWSSigner signer =
          key.privateKey() instanceof RSAKey rsa
              ? new RSASSASigner(rsa)
              : new ECDSASigner((ECKey) key.privateKey());
      JWSObject jws = new JWSObject(header, new Payload(claims.toJSONObject()));
      jws.sign(signer);
      return jws.serialize();
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token ({@code alg: none}) with these claims. */
  public String unsignedToken(Consumer<JWTClaimsSet.Builder> claims) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(issuer);
    claims.accept(b);
    String header =
        Base64URL.encode("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)).toString();
    String payload =
        Base64URL.encode(b.build().toString().getBytes(StandardCharsets.UTF_8)).toString();
    return header + "." + payload + ".";
  }

  /**
   * {@code token} with one character of its signature changed (not the last one, whose low bits may
   * be padding that decoding ignores).
   */
  public static String tampered(String token) {
    int i = token.length() - 6;
    char c = token.charAt(i);
    return token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
  }

  private void startServer(int bindPort) {
    try {
      HttpServer s =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPort), 0);
      s.createContext(
          "/jwks.json",
          exchange -> {
            fetches.incrementAndGet();
            byte[] body = jwksJson().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      s.start();
      server = s;
      port = s.getAddress().getPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot serve the key set", e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
