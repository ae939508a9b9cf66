package dev.weft.mesh.security.tls;

import static java.util.Objects.requireNonNull;

import java.lang.ref.WeakReference;
import java.security.GeneralSecurityException;
import java.util.Collections;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@link SSLContext}s over Weft's key and trust managers, for {@code java.net.http.HttpClient},
 * {@code com.sun.net.httpserver.HttpsServer}, servlet containers, or plain SSL sockets. (The gRPC
 * module wraps the same managers into Netty contexts.)
 *
 * <p>When the managers are Weft's reloading ones, a reload also drops the context's cached TLS
 * sessions, so that the next connection does a full handshake with the new material instead of
 * resuming a session made with the old.
 *
 * <p>Session resumption itself is turned off by the trust manager, not here: a {@link
 * ReloadingTrustManager} invalidates every session it verifies, so the JDK neither caches it nor
 * issues a TLS 1.3 ticket for it, and every connection is verified in full (expiry at the injected
 * clock, the bundle in use, trust domains). The JDK gives a context no switch for this: a session
 * cache size or timeout of 0 means "unlimited", and {@code
 * jdk.tls.server.enableSessionTicketExtension} is a process-wide system property read once; nor
 * does it offer a hook to re-check a session when it is resumed.
 */
public final class TlsContexts {
  private TlsContexts() {}

  /**
   * A client context: presents the certificate of {@code keyManager} when the server asks (mutual
   * TLS; null for server-authenticated TLS only) and verifies servers with {@code trustManager}.
   */
  public static SSLContext client(
      X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager) {
    return create(keyManager, requireNonNull(trustManager, "trustManager"));
  }

  /**
   * A server context: presents {@code keyManager}'s certificate and verifies client certificates
   * with {@code trustManager} (null when clients are not asked for certificates). Whether a client
   * certificate is required is set on the connection: see {@link #mutualTlsParameters(SSLContext)}.
   */
  public static SSLContext server(
      X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager) {
    return create(requireNonNull(keyManager, "keyManager"), trustManager);
  }

  /**
   * Server parameters that require a client certificate (mutual TLS), starting from the context's
   * defaults.
   */
  public static SSLParameters mutualTlsParameters(SSLContext context) {
    SSLParameters p = context.getDefaultSSLParameters();
    p.setNeedClientAuth(true);
    return p;
  }

  private static SSLContext create(
      X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager) {
    SSLContext context;
    try {
      context = SSLContext.getInstance("TLS");
      context.init(
          keyManager == null ? null : new KeyManager[] {keyManager},
          trustManager == null ? null : new TrustManager[] {trustManager},
          null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context", e);
    }
    // Weakly held: the managers outlive contexts that callers throw away.
    WeakReference<SSLContext> ref = new WeakReference<>(context);
    TlsMaterialListener dropSessions =
        new TlsMaterialListener() {
          @Override
          public void reloaded(String description) {
            SSLContext c = ref.get();
            if (c != null) {
              invalidate(c.getClientSessionContext());
              invalidate(c.getServerSessionContext());
            }
          }
        };
    if (keyManager instanceof ReloadingKeyManager km) {
      km.addListener(dropSessions);
    }
    if (trustManager instanceof ReloadingTrustManager tm) {
      tm.bundle().addListener(dropSessions);
    }
    return context;
  }

  /**
   * Invalidates every session cached in {@code sessions} (null is ignored), so that new connections
   * do a full handshake with the material now in use instead of resuming one made with the old.
   */
  public static void invalidate(SSLSessionContext sessions) {
    if (sessions == null) {
      return;
    }
    for (byte[] id : Collections.list(sessions.getIds())) {
      SSLSession s = sessions.getSession(id);
      if (s != null) {
        s.invalidate();
      }
    }
  }
}
