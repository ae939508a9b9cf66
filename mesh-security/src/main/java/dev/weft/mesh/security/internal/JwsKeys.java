package dev.weft.mesh.security.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Keys and signature checks for request authentication, on top of nimbus-jose-jwt: which algorithms
 * are accepted (asymmetric ones only: RSA, RSA-PSS, ECDSA and Ed25519; never {@code none} nor an
 * HMAC, whose shared secret a JWKS cannot carry safely), the issuer's public keys for a token's
 * header, and Ed25519 verified by the JDK. (nimbus verifies Ed25519 with Tink, which needs a
 * protobuf-java other than the one gRPC and the Envoy API classes use; the JDK has verified Ed25519
 * since Java 15.) Internal.
 */
public final class JwsKeys {
  /** The algorithms a token may be signed with. */
  public static final Set<JWSAlgorithm> ACCEPTED =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512,
          JWSAlgorithm.EdDSA,
          JWSAlgorithm.Ed25519);

  /** The DER prefix of an X.509 SubjectPublicKeyInfo for an Ed25519 key (RFC 8410). */
  private static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private JwsKeys() {}

  /** Selects the issuer's verification keys for a token's header from {@code source}. */
  public static <C extends SecurityContext> JWSKeySelector<C> selector(JWKSource<C> source) {
    return (header, context) -> {
      if (!ACCEPTED.contains(header.getAlgorithm())) {
        return List.of();
      }
      JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
      if (matcher == null) {
        return List.of();
      }
      List<Key> keys = new ArrayList<>();
      for (JWK jwk : source.get(new JWKSelector(matcher), context)) {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
          continue;
        }
        Key key = publicKey(jwk);
        if (key != null) {
          keys.add(key);
        }
      }
      return keys;
    };
  }

  private static Key publicKey(JWK jwk) throws KeySourceException {
    try {
      if (jwk instanceof RSAKey rsa) {
        return rsa.toRSAPublicKey();
      }
      if (jwk instanceof ECKey ec) {
        return ec.toECPublicKey();
      }
      if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
        return ed25519(okp.getDecodedX());
      }
      return null;
    } catch (JOSEException | GeneralSecurityException e) {
      throw new KeySourceException("a key of the key set is not usable: " + e.getMessage(), e);
    }
  }

  private static PublicKey ed25519(byte[] x) throws GeneralSecurityException {
    if (x.length != 32) {
      throw new GeneralSecurityException("an Ed25519 key has 32 bytes, this one " + x.length);
    }
    byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  /** Verifier factory: nimbus's own, except Ed25519, which the JDK checks. */
  public static JWSVerifierFactory verifierFactory() {
    return new VerifierFactory();
  }

  private static final class VerifierFactory implements JWSVerifierFactory {
    private final DefaultJWSVerifierFactory delegate = new DefaultJWSVerifierFactory();

    @Override
    public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
      JWSAlgorithm alg = header.getAlgorithm();
      if (!ACCEPTED.contains(alg)) {
        throw new JOSEException("the algorithm " + alg + " is not accepted");
      }
      if (JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg)) {
        if (!(key instanceof EdECPublicKey ed)) {
          throw new JOSEException("an Ed25519 signature needs an Ed25519 key");
        }
        return new Ed25519JdkVerifier(ed);
      }
      return delegate.createJWSVerifier(header, key);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return ACCEPTED;
    }

    @Override
    public JCAContext getJCAContext() {
      return delegate.getJCAContext();
    }
  }

  /** Checks an Ed25519 signature with the JDK's own implementation. */
  private static final class Ed25519JdkVerifier implements JWSVerifier {
    private final PublicKey key;
    private final JCAContext jca = new JCAContext();

    Ed25519JdkVerifier(PublicKey key) {
      this.key = key;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature)
        throws JOSEException {
      try {
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(key);
        verifier.update(signingInput);
        return verifier.verify(signature.decode());
      } catch (java.security.SignatureException e) {
        return false; // a signature of the wrong shape is simply not valid
      } catch (GeneralSecurityException e) {
        throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
      }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    }

    @Override
    public JCAContext getJCAContext() {
      return jca;
    }
  }
}
