package dev.weft.mesh.testing.certs;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Mints certificates for development and tests: a local certificate authority, and workload
 * certificates with SPIFFE IDs issued by it. Not for production: keys are generated in memory and
 * written unencrypted.
 *
 * <pre>{@code
 * DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test dev CA");
 * IssuedCertificate reviews = ca.workload("spiffe://weft.test/ns/default/sa/reviews")
 *     .dnsNames("localhost").ipAddresses("127.0.0.1")
 *     .validFor(Duration.ofHours(1))
 *     .issue();
 * reviews.writeCertificateChain(dir.resolve("cert-chain.pem"));
 * reviews.writePrivateKey(dir.resolve("key.pem"));
 * ca.writeCertificate(dir.resolve("root-cert.pem"));
 * }</pre>
 */
public final class DevCertificates {
  /** How long a CA minted here is valid unless told otherwise. */
  public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);

  private DevCertificates() {}

  /** A new self-signed CA with an EC P-256 key, valid from a minute ago for ten years. */
  public static DevCertificateAuthority newAuthority(String commonName) {
    Instant now = Instant.now();
    return newAuthority(
        commonName, now.minus(Duration.ofMinutes(1)), now.plus(DEFAULT_CA_VALIDITY));
  }

  /**
   * A new self-signed CA with an EC P-256 key, valid from {@code notBefore} to {@code notAfter}.
   */
  public static DevCertificateAuthority newAuthority(
      String commonName, Instant notBefore, Instant notAfter) {
    requireNonNull(commonName, "commonName");
    return DevCertificateAuthority.selfSigned(commonName, notBefore, notAfter, KeyAlgorithm.EC);
  }

  /**
   * A CA read from PEM files (its certificate, and its private key in PKCS#8, PKCS#1 or SEC1), so
   * that workloads minted at different times share one CA.
   */
  public static DevCertificateAuthority loadAuthority(Path certificate, Path privateKey)
      throws IOException {
    return DevCertificateAuthority.load(certificate, privateKey);
  }

  /** The kind of key to generate. */
  public enum KeyAlgorithm {
    /** ECDSA on P-256: fast to generate, the default. */
    EC,
    /** RSA, 2048 bits. */
    RSA
  }

  /** How a private key is written to PEM. */
  public enum KeyFormat {
    /** {@code -----BEGIN PRIVATE KEY-----}, the default. */
    PKCS8,
    /**
     * The algorithm-specific form: {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY}
     * (SEC1).
     */
    TRADITIONAL
  }
}
