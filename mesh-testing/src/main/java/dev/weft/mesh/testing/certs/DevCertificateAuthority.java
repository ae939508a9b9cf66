package dev.weft.mesh.testing.certs;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.testing.certs.DevCertificates.KeyAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A development certificate authority: issues workload certificates (X.509-SVIDs) and, if wanted,
 * intermediate CAs. Thread-safe. Made by {@link DevCertificates}.
 */
public final class DevCertificateAuthority {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey privateKey;

  /** This CA's certificate followed by its issuers up to (not including) the root. */
  private final List<X509Certificate> chainToRoot;

  private DevCertificateAuthority(
      X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> chainToRoot) {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.chainToRoot = List.copyOf(chainToRoot);
  }

  static DevCertificateAuthority selfSigned(
      String commonName, Instant notBefore, Instant notAfter, KeyAlgorithm algorithm) {
    KeyPair keys = generateKeyPair(algorithm);
    X500Name name = name(commonName);
    X509Certificate cert =
        sign(null, keys.getPrivate(), name, keys.getPublic(), notBefore, notAfter, true, List.of());
    return new DevCertificateAuthority(cert, keys.getPrivate(), List.of());
  }

  static DevCertificateAuthority load(Path certificatePath, Path keyPath) throws IOException {
    List<X509Certificate> certs = PemIo.readCertificates(certificatePath);
    PrivateKey key = PemIo.readPrivateKey(keyPath);
    return new DevCertificateAuthority(
        certs.get(0), key, certs.size() > 1 ? certs.subList(1, certs.size()) : List.of());
  }

  /** This CA's certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** This CA's private key. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The root certificate at the top of this CA's chain: the one peers must trust. */
  public X509Certificate rootCertificate() {
    return chainToRoot.isEmpty() ? certificate : chainToRoot.get(chainToRoot.size() - 1);
  }

  /** Starts a workload certificate for {@code spiffeId} (validated), valid for a day by default. */
  public WorkloadBuilder workload(String spiffeId) {
    return new WorkloadBuilder(SpiffeId.parse(spiffeId));
  }

  /** Issues an intermediate CA under this one, valid as long as this one. */
  public DevCertificateAuthority intermediate(String commonName) {
    KeyPair keys = generateKeyPair(KeyAlgorithm.EC);
    X509Certificate cert =
        sign(
            this,
            null,
            name(commonName),
            keys.getPublic(),
            certificate.getNotBefore().toInstant(),
            certificate.getNotAfter().toInstant(),
            true,
            List.of());
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(certificate);
    chain.addAll(chainToRoot);
    return new DevCertificateAuthority(cert, keys.getPrivate(), chain);
  }

  /** The root certificate as PEM text, for building trust bundles. */
  public String certificatePem() {
    try {
      return PemIo.certificatesPem(List.of(rootCertificate()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the root certificate as a PEM trust bundle. */
  public void writeCertificate(Path file) throws IOException {
    PemIo.writeCertificates(file, List.of(rootCertificate()));
  }

  /** Writes this CA's own certificate (and its issuers), then its private key in PKCS#8. */
  public void writeTo(Path certificateFile, Path keyFile) throws IOException {
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(certificate);
    chain.addAll(chainToRoot);
    PemIo.writeCertificates(certificateFile, chain);
    PemIo.writePrivateKey(keyFile, privateKey, DevCertificates.KeyFormat.PKCS8);
  }

  /** Builds one workload certificate. Not thread-safe; the CA it came from is. */
  public final class WorkloadBuilder {
    private final SpiffeId spiffeId;
    private final List<String> dnsNames = new ArrayList<>();
    private final List<String> ipAddresses = new ArrayList<>();
    private Instant notBefore;
    private Instant notAfter;
    private KeyAlgorithm algorithm = KeyAlgorithm.EC;
    private final List<String> extraUris = new ArrayList<>();

    private WorkloadBuilder(SpiffeId spiffeId) {
      this.spiffeId = spiffeId;
      Instant now = Instant.now();
      this.notBefore = now.minus(Duration.ofMinutes(1));
      this.notAfter = now.plus(Duration.ofDays(1));
    }

    /** Adds DNS subject alternative names, such as {@code localhost}. */
    public WorkloadBuilder dnsNames(String... names) {
      dnsNames.addAll(List.of(names));
      return this;
    }

    /** Adds IP address subject alternative names, such as {@code 127.0.0.1}. */
    public WorkloadBuilder ipAddresses(String... addresses) {
      ipAddresses.addAll(List.of(addresses));
      return this;
    }

    /**
     * Adds more URI subject alternative names. An SVID has exactly one; this exists to mint invalid
     * certificates for tests.
     */
    public WorkloadBuilder extraUriSans(String... uris) {
      extraUris.addAll(List.of(uris));
      return this;
    }

    /** Valid from a minute ago for {@code validity}. */
    public WorkloadBuilder validFor(Duration validity) {
      Instant now = Instant.now();
      this.notBefore = now.minus(Duration.ofMinutes(1));
      this.notAfter = now.plus(validity);
      return this;
    }

    /** Valid from {@code notBefore} to {@code notAfter}; both may be in the past. */
    public WorkloadBuilder validity(Instant notBefore, Instant notAfter) {
      this.notBefore = requireNonNull(notBefore, "notBefore");
      this.notAfter = requireNonNull(notAfter, "notAfter");
      return this;
    }

    /** Already expired: valid for one hour, which ended an hour ago. */
    public WorkloadBuilder expired() {
      Instant now = Instant.now();
      return validity(now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)));
    }

    /** The key algorithm (EC P-256 unless told otherwise). */
    public WorkloadBuilder keyAlgorithm(KeyAlgorithm algorithm) {
      this.algorithm = requireNonNull(algorithm, "algorithm");
      return this;
    }

    /** Generates a key pair and signs the certificate. */
    public IssuedCertificate issue() {
      if (!notAfter.isAfter(notBefore)) {
        throw new IllegalArgumentException(
            "notAfter (" + notAfter + ") must be after notBefore (" + notBefore + ")");
      }
      List<GeneralName> sans = new ArrayList<>();
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId.toString()));
      for (String uri : extraUris) {
        sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
      }
      for (String dns : dnsNames) {
        sans.add(new GeneralName(GeneralName.dNSName, dns));
      }
      for (String ip : ipAddresses) {
        sans.add(new GeneralName(GeneralName.iPAddress, ip));
      }
      KeyPair keys = generateKeyPair(algorithm);
      String cn = spiffeId.serviceAccount().orElse(spiffeId.toString());
      X509Certificate leaf =
          sign(
              DevCertificateAuthority.this,
              null,
              name(cn),
              keys.getPublic(),
              notBefore,
              notAfter,
              false,
              sans);
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(leaf);
      if (!chainToRoot.isEmpty()) {
        chain.add(certificate);
        chain.addAll(chainToRoot.subList(0, chainToRoot.size() - 1));
      }
      return new IssuedCertificate(spiffeId, chain, keys.getPrivate());
    }
  }

  private static X500Name x500(X509Certificate cert) {
    return X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "Weft development")
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  static KeyPair generateKeyPair(KeyAlgorithm algorithm) {
    try {
      if (algorithm == KeyAlgorithm.RSA) {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
      }
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key pair", e);
    }
  }

  /**
   * Signs with {@code issuer}'s key, or self-signs with {@code selfSigningKey} when there is no
   * issuer.
   */
  private static X509Certificate sign(
      DevCertificateAuthority issuer,
      PrivateKey selfSigningKey,
      X500Name subject,
      PublicKey subjectKey,
      Instant notBefore,
      Instant notAfter,
      boolean ca,
      List<GeneralName> sans) {
    X500Name issuerX500 = issuer == null ? subject : x500(issuer.certificate);
    PrivateKey signingKey = issuer == null ? selfSigningKey : issuer.privateKey;
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              issuerX500, serial(), Date.from(notBefore), Date.from(notAfter), subject, subjectKey);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        b.addExtension(
            Extension.keyUsage,
            true,
            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      } else {
        int usage =
            KeyUsage.digitalSignature
                | ("RSA".equals(subjectKey.getAlgorithm()) ? KeyUsage.keyEncipherment : 0);
        b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      if (issuer != null) {
        b.addExtension(
            Extension.authorityKeyIdentifier,
            false,
            ext.createAuthorityKeyIdentifier(issuer.certificate));
      }
      ContentSigner signer =
          new JcaContentSignerBuilder(signatureAlgorithm(signingKey)).build(signingKey);
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate for " + subject, e);
    }
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
  }

  private static BigInteger serial() {
    // Positive, at most 20 octets (RFC 5280), and unique enough to tell rotations apart.
    return new BigInteger(120, RANDOM).add(BigInteger.ONE);
  }
}
