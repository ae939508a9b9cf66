package dev.weft.mesh.security.tls;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate chain and its private key, checked to belong together.
 *
 * @param chain the leaf certificate first, then any intermediates
 * @param privateKey the leaf's private key
 * @param generation counts the swaps of a {@link ReloadingKeyManager}, starting at 1
 */
public record KeyMaterial(List<X509Certificate> chain, PrivateKey privateKey, long generation) {
  public KeyMaterial {
    chain = List.copyOf(chain);
    requireNonNull(privateKey, "privateKey");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least one certificate");
    }
  }

  /** The leaf certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  @Override
  public String toString() {
    X509Certificate leaf = certificate();
    return "certificate "
        + dev.weft.mesh.security.internal.SafeText.quote(leaf.getSubjectX500Principal().getName())
        + " serial "
        + leaf.getSerialNumber().toString(16)
        + " valid until "
        + leaf.getNotAfter().toInstant();
  }
}
