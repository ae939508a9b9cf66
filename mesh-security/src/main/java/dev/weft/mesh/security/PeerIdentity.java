package dev.weft.mesh.security;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.security.internal.SafeText;
import java.math.BigInteger;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The authenticated identity of the other side of a TLS connection: its SPIFFE ID and the leaf
 * certificate that carried it (an X.509-SVID).
 *
 * @param spiffeId the SPIFFE ID from the certificate's one URI subject alternative name
 * @param certificate the peer's leaf certificate
 */
public record PeerIdentity(SpiffeId spiffeId, X509Certificate certificate) {
  private static final String SESSION_KEY = "dev.weft.mesh.security.PeerIdentity";
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;
  private static final int SAN_IP = 7;

  public PeerIdentity {
    requireNonNull(spiffeId, "spiffeId");
    requireNonNull(certificate, "certificate");
  }

  /**
   * The identity of the peer of an established TLS session: empty when the peer sent no certificate
   * (plaintext, or TLS without a client certificate) or its certificate carries no valid SPIFFE ID.
   * Servers call this to learn who is calling; the handshake has already verified the certificate.
   */
  public static Optional<PeerIdentity> from(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    // Many requests share one session: parse the certificate once and keep the result on it.
    if (session.getValue(SESSION_KEY) instanceof PeerIdentity cached) {
      return Optional.of(cached);
    }
    Optional<PeerIdentity> identity;
    try {
      identity = from(session.getPeerCertificates());
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
    if (identity.isPresent()) {
      try {
        session.putValue(SESSION_KEY, identity.get());
      } catch (UnsupportedOperationException e) {
        // a read-only view of a session (java.net.http hands those out): nothing to cache in
      }
    }
    return identity;
  }

  /** The identity carried by the leaf (first) certificate of {@code chain}, if it is an SVID. */
  public static Optional<PeerIdentity> from(Certificate[] chain) {
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    try {
      return Optional.of(fromSvid(leaf));
    } catch (CertificateException e) {
      return Optional.empty();
    }
  }

  /**
   * Reads the SPIFFE ID of an X.509-SVID leaf, strictly: the certificate must have exactly one URI
   * subject alternative name, it must be a valid SPIFFE ID with a non-empty path, the certificate
   * must not be a CA, and its key usage (if present) must include digitalSignature and exclude
   * keyCertSign and cRLSign.
   *
   * @throws CertificateException saying which rule the certificate breaks
   */
  public static PeerIdentity fromSvid(X509Certificate leaf) throws CertificateException {
    requireNonNull(leaf, "leaf");
    List<String> uris = subjectAltNames(leaf, SAN_URI);
    String subject = SafeText.escape(leaf.getSubjectX500Principal().getName());
    if (uris.size() != 1) {
      throw new CertificateException(
          "certificate '"
              + subject
              + "' (serial "
              + leaf.getSerialNumber().toString(16)
              + ") is not an X.509-SVID: it must have exactly one URI SAN, found "
              + uris.size()
              + (uris.isEmpty() ? "" : " " + uris.stream().map(SafeText::escape).toList()));
    }
    Optional<SpiffeId> id = SpiffeId.tryParse(uris.get(0));
    if (id.isEmpty()) {
      String why;
      try {
        SpiffeId.parse(uris.get(0));
        why = "";
      } catch (IllegalArgumentException e) {
        why = SafeText.escape(e.getMessage());
      }
      throw new CertificateException("certificate '" + subject + "' is not an X.509-SVID: " + why);
    }
    if (id.get().path().isEmpty()) {
      throw new CertificateException(
          "certificate '"
              + subject
              + "' is not an X.509-SVID leaf: SPIFFE ID "
              + id.get()
              + " has no path");
    }
    if (leaf.getBasicConstraints() >= 0) {
      throw new CertificateException(
          "certificate for " + id.get() + " is a CA certificate, not a workload (leaf) SVID");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null) {
      // digitalSignature is bit 0, keyCertSign bit 5, cRLSign bit 6 (RFC 5280).
      if (!usage[0]) {
        throw new CertificateException(
            "certificate for "
                + id.get()
                + " is not a valid SVID leaf: key usage lacks digitalSignature");
      }
      if ((usage.length > 5 && usage[5]) || (usage.length > 6 && usage[6])) {
        throw new CertificateException(
            "certificate for "
                + id.get()
                + " is not a valid SVID leaf: key usage allows signing certificates or CRLs");
      }
    }
    return new PeerIdentity(id.get(), leaf);
  }

  /** The URI subject alternative names of {@code certificate}, in order. */
  public static List<String> uriSans(X509Certificate certificate) {
    try {
      return subjectAltNames(certificate, SAN_URI);
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  /** Every URI, DNS and IP subject alternative name of {@code certificate}, in order. */
  public static List<String> allSans(X509Certificate certificate) {
    try {
      return subjectAltNames(certificate, SAN_URI, SAN_DNS, SAN_IP);
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static List<String> subjectAltNames(X509Certificate certificate, int... types)
      throws CertificateParsingException {
    Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
    List<String> out = new ArrayList<>();
    if (sans == null) {
      return out;
    }
    for (List<?> san : sans) {
      int type = (Integer) san.get(0);
      for (int wanted : types) {
        if (type == wanted && san.get(1) instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** The serial number of the peer's certificate. */
  public BigInteger serialNumber() {
    return certificate.getSerialNumber();
  }

  @Override
  public String toString() {
    return spiffeId + " (certificate serial " + certificate.getSerialNumber().toString(16) + ")";
  }
}
