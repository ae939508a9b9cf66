package dev.weft.mesh.testing.certs;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.testing.certs.DevCertificates.KeyFormat;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A workload certificate minted by a {@link DevCertificateAuthority}: the chain (leaf first, then
 * any intermediates, never the root) and the private key. Writes PEM files atomically (a temporary
 * file moved into place), so a file watcher never sees half a file.
 */
public final class IssuedCertificate {
  private final SpiffeId spiffeId;
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;

  IssuedCertificate(SpiffeId spiffeId, List<X509Certificate> chain, PrivateKey privateKey) {
    this.spiffeId = requireNonNull(spiffeId, "spiffeId");
    this.chain = List.copyOf(chain);
    this.privateKey = requireNonNull(privateKey, "privateKey");
  }

  /** The SPIFFE ID in the certificate's URI SAN. */
  public SpiffeId spiffeId() {
    return spiffeId;
  }

  /** The leaf certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** The leaf first, then intermediates (the root is not included). */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The leaf's private key. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The leaf's serial number. */
  public BigInteger serialNumber() {
    return certificate().getSerialNumber();
  }

  /** The chain as PEM text. */
  public String certificateChainPem() {
    try {
      return PemIo.certificatesPem(chain);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The private key as PEM text in {@code format}. */
  public String privateKeyPem(KeyFormat format) {
    try {
      return PemIo.privateKeyPem(privateKey, format);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the chain to {@code file} as PEM. */
  public IssuedCertificate writeCertificateChain(Path file) throws IOException {
    PemIo.writeCertificates(file, chain);
    return this;
  }

  /** Writes the private key to {@code file} as PKCS#8 PEM. */
  public IssuedCertificate writePrivateKey(Path file) throws IOException {
    return writePrivateKey(file, KeyFormat.PKCS8);
  }

  /** Writes the private key to {@code file} as PEM in {@code format}. */
  public IssuedCertificate writePrivateKey(Path file, KeyFormat format) throws IOException {
    PemIo.writePrivateKey(file, privateKey, format);
    return this;
  }

  /** Writes the chain and then the key. */
  public IssuedCertificate writeTo(Path certificateChainFile, Path privateKeyFile)
      throws IOException {
    writeCertificateChain(certificateChainFile);
    return writePrivateKey(privateKeyFile);
  }

  @Override
  public String toString() {
    return spiffeId
        + " (serial "
        + serialNumber().toString(16)
        + ", valid "
        + certificate().getNotBefore().toInstant()
        + " to "
        + certificate().getNotAfter().toInstant()
        + ")";
  }
}
