package dev.weft.mesh.spring;

import dev.weft.mesh.security.tls.KeyMaterial;
import dev.weft.mesh.security.tls.ReloadingTrustManager;
import dev.weft.mesh.security.tls.TlsMaterialListener;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.spring.internal.WorkloadTrustStores;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * The workload's certificate as a Spring Boot {@link SslBundle}, made from the material the {@link
 * WorkloadTls} has in use (so only a certificate and key that parsed and matched ever reach a
 * server), and updated in the registry whenever that material or the CA bundle is reloaded: servers
 * that support bundle updates (Spring Boot's Tomcat and Netty servers, for example) then use the
 * new certificate for new connections.
 *
 * <p>Peers are verified by Weft's own trust manager ({@link WorkloadTls#clientVerifier()}), not by
 * plain PKIX over the CAs: the bundle's trust managers are that trust manager (for servers that
 * take the bundle's managers or its SSL context: Netty, Spring gRPC), and its trust store is
 * registered in {@link WorkloadTrustStores} for servers that take the store (Tomcat, through {@link
 * dev.weft.mesh.spring.internal.WorkloadTomcatSslImplementation}). So a server on this bundle
 * checks at the handshake what Weft's servers check: the SVID shape, the trust domains, per domain
 * bundles, validity by the workload's clock, and no session resumption.
 */
final class WorkloadSslBundle {
  private static final Logger log = LoggerFactory.getLogger(WorkloadSslBundle.class);
  private static final String ALIAS = "workload";

  private WorkloadSslBundle() {}

  static void register(WorkloadTls tls, String name, SslBundleRegistry registry) {
    registry.registerBundle(name, of(tls));
    Object updating = new Object();
    TlsMaterialListener update =
        new TlsMaterialListener() {
          @Override
          public void reloaded(String description) {
            // The key and the CA bundle may reload on different threads: one update at a time, each
            // reading the material in use when it runs, so the last one in is the newest.
            synchronized (updating) {
              updateBundle(description);
            }
          }

          private void updateBundle(String description) {
            try {
              registry.updateBundle(name, of(tls));
            } catch (RuntimeException e) {
              log.warn(
                  "SSL bundle '{}' could not be updated after the workload certificate changed ({}); servers keep the previous one",
                  name,
                  description,
                  e);
            }
          }
        };
    tls.keyManager().addListener(update);
    tls.trustBundle().addListener(update);
  }

  /**
   * A bundle of the material in use now: the key store holds the workload's key and chain, the
   * trust store its CAs.
   */
  static SslBundle of(WorkloadTls tls) {
    try {
      KeyMaterial material = tls.keyManager().current();
      KeyStore keyStore = KeyStore.getInstance(KeyStore.getDefaultType());
      keyStore.load(null, null);
      keyStore.setKeyEntry(
          ALIAS, material.privateKey(), new char[0], material.chain().toArray(Certificate[]::new));
      KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
      trustStore.load(null, null);
      List<X509Certificate> cas = tls.trustBundle().certificates();
      for (int i = 0; i < cas.size(); i++) {
        trustStore.setCertificateEntry("ca-" + i, cas.get(i));
      }
      SslStoreBundle stores = SslStoreBundle.of(keyStore, "", trustStore);
      SslBundleKey key = SslBundleKey.of("", ALIAS);
      ReloadingTrustManager verifier = tls.clientVerifier();
      WorkloadTrustStores.register(trustStore, verifier);
      SslManagerBundle managers =
          SslManagerBundle.of(
              SslManagerBundle.from(stores, key).getKeyManagerFactory(),
              SslManagerBundle.from(verifier).getTrustManagerFactory());
      return SslBundle.of(stores, key, SslOptions.NONE, SslBundle.DEFAULT_PROTOCOL, managers);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException(
          "the workload certificate cannot be put in an SSL bundle: " + e.getMessage(), e);
    }
  }
}
