package dev.weft.mesh.security.tls;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.security.PeerIdentity;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies a peer's certificate chain against the CAs of a {@link TrustBundle} (read afresh for
 * every handshake, so a reloaded bundle applies at once) and then checks the peer's identity:
 *
 * <ul>
 *   <li>the leaf is valid now (by the injected {@link Ticker}) and chains to a trusted CA (PKIX, no
 *       revocation checks);
 *   <li>unless {@link Builder#requireSpiffeId(boolean) turned off}, the leaf is an X.509-SVID:
 *       exactly one URI SAN holding a valid SPIFFE ID;
 *   <li>the SPIFFE ID's trust domain is one of the {@link Builder#trustDomains configured ones}, if
 *       any;
 *   <li>when verifying a server, its certificate matches one of the {@link
 *       Builder#expectedServerIdentities expected identities}, if any are given (Istio's {@code
 *       subjectAltNames}).
 * </ul>
 *
 * A failure throws a {@link CertificateException} that says what was expected and what was found,
 * which fails the handshake. Host name verification is not done here: in the mesh, the SPIFFE
 * identity is what identifies a server. Thread-safe and lock-free.
 */
public final class ReloadingTrustManager extends X509ExtendedTrustManager {
  private final TrustBundle bundle;
  private final Set<String> trustDomains;
  private final List<IdentityMatcher> expectedServers;
  private final boolean requireSpiffeId;
  private final Ticker ticker;

  private ReloadingTrustManager(Builder b) {
    this.bundle = b.bundle;
    this.trustDomains = Set.copyOf(b.trustDomains);
    this.expectedServers = List.copyOf(b.expectedServers);
    this.requireSpiffeId = b.requireSpiffeId;
    this.ticker = b.ticker;
  }

  /** Starts a trust manager over {@code bundle}. */
  public static Builder builder(TrustBundle bundle) {
    return new Builder(bundle);
  }

  /** The bundle this trust manager reads. */
  public TrustBundle bundle() {
    return bundle;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, "client", false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "client", false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "client", false);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain, "server", true);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "server", true);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "server", true);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return bundle.certificates().toArray(X509Certificate[]::new);
  }

  private void check(X509Certificate[] chain, String role, boolean server)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the " + role + " presented no certificate");
    }
    X509Certificate leaf = chain[0];
    String who = describe(leaf);
    long now = ticker.currentTimeMillis();
    if (leaf.getNotAfter().getTime() < now) {
      throw new CertificateException(
          "the "
              + role
              + " certificate "
              + who
              + " expired at "
              + leaf.getNotAfter().toInstant()
              + " (now "
              + Instant.ofEpochMilli(now)
              + ")");
    }
    if (leaf.getNotBefore().getTime() > now) {
      throw new CertificateException(
          "the "
              + role
              + " certificate "
              + who
              + " is not valid until "
              + leaf.getNotBefore().toInstant()
              + " (now "
              + Instant.ofEpochMilli(now)
              + ")");
    }
    validatePath(chain, role, who, now);
    if (requireSpiffeId || !trustDomains.isEmpty()) {
      SpiffeId id = PeerIdentity.fromSvid(leaf).spiffeId();
      if (!trustDomains.isEmpty() && !trustDomains.contains(id.trustDomain())) {
        throw new CertificateException(
            "the "
                + role
                + " identity "
                + id
                + " is in trust domain '"
                + id.trustDomain()
                + "', which is not trusted here; trusted trust domains: "
                + trustDomains);
      }
    }
    if (server && !expectedServers.isEmpty()) {
      for (IdentityMatcher m : expectedServers) {
        if (m.matches(leaf)) {
          return;
        }
      }
      throw new CertificateException(
          "server identity mismatch: expected "
              + expectedServers
              + " but the server presented "
              + who
              + " with names "
              + PeerIdentity.allSans(leaf));
    }
  }

  private void validatePath(X509Certificate[] chain, String role, String who, long now)
      throws CertificateException {
    TrustBundle.Anchors anchors = bundle.anchors();
    // The validator wants the path without its trust anchor; peers often send the root along.
    List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
    while (path.size() > 1 && anchors.certificates().contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors.anchors());
      params.setRevocationEnabled(false);
      params.setDate(new Date(now));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (CertPathValidatorException e) {
      X509Certificate leaf = chain[0];
      throw new CertificateException(
          "the "
              + role
              + " certificate "
              + who
              + " (issued by '"
              + leaf.getIssuerX500Principal().getName()
              + "') is not trusted: "
              + e.getMessage()
              + "; trusted CAs: "
              + anchors.certificates().stream()
                  .map(c -> c.getSubjectX500Principal().getName())
                  .toList(),
          e);
    } catch (GeneralSecurityException e) {
      throw new CertificateException(
          "cannot validate the " + role + " certificate " + who + ": " + e, e);
    }
  }

  private static String describe(X509Certificate leaf) {
    List<String> uris = PeerIdentity.uriSans(leaf);
    String name =
        uris.size() == 1 ? uris.get(0) : "'" + leaf.getSubjectX500Principal().getName() + "'";
    return name + " (serial " + leaf.getSerialNumber().toString(16) + ")";
  }

  /** Configures a {@link ReloadingTrustManager}. */
  public static final class Builder {
    private final TrustBundle bundle;
    private final Set<String> trustDomains = new LinkedHashSet<>();
    private final List<IdentityMatcher> expectedServers = new ArrayList<>();
    private boolean requireSpiffeId = true;
    private Ticker ticker = Ticker.system();

    private Builder(TrustBundle bundle) {
      this.bundle = requireNonNull(bundle, "bundle");
    }

    /** Accepts peers only from these SPIFFE trust domains (default: any the CAs vouch for). */
    public Builder trustDomains(Collection<String> domains) {
      for (String d : domains) {
        if (!SpiffeId.isValidTrustDomain(d)) {
          throw new IllegalArgumentException("'" + d + "' is not a valid SPIFFE trust domain");
        }
        trustDomains.add(d);
      }
      return this;
    }

    /**
     * The identities a server may present (for a client's trust manager): exact SPIFFE IDs, SPIFFE
     * IDs ending in {@code /*}, or DNS names and IP addresses compared exactly with the server's
     * SANs. Empty (the default) accepts any identity the CAs vouch for.
     *
     * @throws IllegalArgumentException for a malformed SPIFFE ID or misplaced wildcard
     */
    public Builder expectedServerIdentities(Collection<String> identities) {
      for (String i : identities) {
        expectedServers.add(IdentityMatcher.parse(i));
      }
      return this;
    }

    /** Whether peers must present X.509-SVIDs (default true). */
    public Builder requireSpiffeId(boolean require) {
      this.requireSpiffeId = require;
      return this;
    }

    /** The clock certificate validity is checked against (default: the system clock). */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /** Builds the trust manager. */
    public ReloadingTrustManager build() {
      return new ReloadingTrustManager(this);
    }
  }
}
