package dev.weft.mesh.security.tls;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.runtime.Ticker;
import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.internal.SafeText;
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
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
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
 * When the bundle has CAs of the leaf's own trust domain ({@link
 * TrustBundle.Builder#caCertificates( String, java.nio.file.Path)}, SPIFFE federation), the chain
 * must verify against those CAs only.
 *
 * <p><b>No session resumption.</b> A resumed TLS session skips the certificate checks: the JDK
 * calls no trust manager for it, so a peer whose certificate has expired since, or whose CA has
 * been removed from the bundle, could go on resuming. The JDK offers no hook to re-check a resumed
 * session, so this trust manager makes the sessions it verifies non-resumable instead: at every
 * check it invalidates the handshake session of the socket or engine (documented {@link
 * javax.net.ssl.SSLSession#invalidate()} semantics: the connection goes on, no later connection
 * resumes or joins the session). The JDK then neither caches the session nor issues a TLS 1.3
 * session ticket for it, whichever stack (Tomcat, Netty, the JDK's servers and clients) uses this
 * trust manager, and every new connection is verified in full. The {@code (chain, authType)}
 * overloads, which have no connection, cannot do this; the JDK does not call them.
 *
 * <p>A failure throws a {@link CertificateException} that says what was expected and what was
 * found, which fails the handshake; names taken from the peer's certificate are escaped ({@link
 * SafeText}) so that a crafted certificate cannot forge log lines. Host name verification is not
 * done here: in the mesh, the SPIFFE identity is what identifies a server. Thread-safe and
 * lock-free.
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
    notResumable(socket);
    check(chain, "client", false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    notResumable(engine);
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
    notResumable(socket);
    check(chain, "server", true);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    notResumable(engine);
    check(chain, "server", true);
  }

  private static void notResumable(Socket socket) {
    if (socket instanceof SSLSocket ssl) {
      invalidate(ssl.getHandshakeSession());
    }
  }

  private static void notResumable(SSLEngine engine) {
    if (engine != null) {
      invalidate(engine.getHandshakeSession());
    }
  }

  private static void invalidate(SSLSession handshakeSession) {
    if (handshakeSession == null) {
      return;
    }
    try {
      handshakeSession.invalidate();
    } catch (RuntimeException e) {
      // a TLS stack whose handshake session cannot be invalidated: nothing more can be done here
    }
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
    validatePath(chain, role, who, now, leaf);
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
              + PeerIdentity.allSans(leaf).stream().map(SafeText::escape).toList());
    }
  }

  private void validatePath(
      X509Certificate[] chain, String role, String who, long now, X509Certificate leaf)
      throws CertificateException {
    TrustBundle.Anchors all = bundle.anchors();
    String domain = claimedTrustDomain(leaf);
    TrustBundle.Scope scope = all.forTrustDomain(domain);
    if (scope == null) {
      if (domain == null) {
        if (requireSpiffeId) {
          PeerIdentity.fromSvid(leaf); // throws, saying why the leaf is not an SVID
        }
        throw new CertificateException(
            "the "
                + role
                + " certificate "
                + who
                + " has no SPIFFE ID, and the trust bundle has CAs only for trust domains "
                + all.byTrustDomain().keySet());
      }
      throw new CertificateException(
          "the "
              + role
              + " certificate "
              + who
              + " is in trust domain '"
              + domain
              + "', for which the trust bundle has no CAs; it has CAs for trust domains "
              + all.byTrustDomain().keySet());
    }
    // The validator wants the path without its trust anchor; peers often send the root along.
    List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
    while (path.size() > 1 && scope.certificates().contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(scope.anchors());
      params.setRevocationEnabled(false);
      params.setDate(new Date(now));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (CertPathValidatorException e) {
      boolean ownDomain = domain != null && all.byTrustDomain().containsKey(domain);
      throw new CertificateException(
          "the "
              + role
              + " certificate "
              + who
              + " (issued by "
              + SafeText.quote(leaf.getIssuerX500Principal().getName())
              + ") is not trusted: "
              + SafeText.escape(e.getMessage())
              + (ownDomain
                  ? "; trusted CAs for trust domain '" + domain + "': "
                  : "; trusted CAs: ")
              + scope.subjects(),
          e);
    } catch (GeneralSecurityException e) {
      throw new CertificateException(
          "cannot validate the "
              + role
              + " certificate "
              + who
              + ": "
              + SafeText.escape(String.valueOf(e)),
          e);
    }
  }

  /** The trust domain of the leaf's one URI SAN when it is a SPIFFE ID; null otherwise. */
  private static String claimedTrustDomain(X509Certificate leaf) {
    List<String> uris = PeerIdentity.uriSans(leaf);
    if (uris.size() != 1) {
      return null;
    }
    return SpiffeId.tryParse(uris.get(0)).map(SpiffeId::trustDomain).orElse(null);
  }

  private static String describe(X509Certificate leaf) {
    List<String> uris = PeerIdentity.uriSans(leaf);
    String name =
        uris.size() == 1
            ? SafeText.escape(uris.get(0))
            : SafeText.quote(leaf.getSubjectX500Principal().getName());
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
