package dev.weft.mesh.api.config;

import dev.weft.mesh.api.internal.Checks;
import java.util.List;

/**
 * How a client secures its connections to a cluster (after Istio's {@code ClientTLSSettings}).
 *
 * @param mode plaintext, server-authenticated TLS, or mutual TLS
 * @param certificateChain PEM file with the client's certificate chain (mutual TLS); empty to use
 *     the mesh's own workload identity
 * @param privateKey PEM file with the client's private key (mutual TLS); empty to use the mesh's
 *     own
 * @param caCertificates PEM file with the CAs trusted to sign the server's certificate; empty to
 *     use the mesh's trust bundle
 * @param subjectAltNames identities the server must present, for example {@code
 *     spiffe://cluster.local/ns/default/sa/reviews}; empty accepts any identity the CAs vouch for
 * @param sni the server name sent in the TLS handshake; empty sends none
 */
public record TlsSettings(
    Mode mode,
    String certificateChain,
    String privateKey,
    String caCertificates,
    List<String> subjectAltNames,
    String sni) {

  /** Plaintext connections. */
  public static final TlsSettings DISABLED =
      new TlsSettings(Mode.DISABLED, "", "", "", List.of(), "");

  public TlsSettings {
    subjectAltNames = Checks.listAllowingNulls(subjectAltNames);
    Checks c = Checks.start();
    c.notNull(mode, "mode");
    c.notNull(certificateChain, "certificateChain");
    c.notNull(privateKey, "privateKey");
    c.notNull(caCertificates, "caCertificates");
    c.notNull(sni, "sni");
    Checks.elementsNotNull(c, subjectAltNames, "subjectAltNames");
    if (certificateChain != null && privateKey != null) {
      c.require(
          certificateChain.isEmpty() == privateKey.isEmpty(),
          "privateKey",
          "certificateChain and privateKey must be given together");
    }
    if (mode == Mode.DISABLED) {
      c.require(subjectAltNames.isEmpty(), "subjectAltNames", "needs mode SIMPLE or MUTUAL");
    }
    c.throwIfAny();
  }

  /** A TLS mode. */
  public enum Mode {
    /** Plaintext. */
    DISABLED,
    /** TLS that authenticates the server only. */
    SIMPLE,
    /** TLS in which both sides present certificates. */
    MUTUAL
  }
}
