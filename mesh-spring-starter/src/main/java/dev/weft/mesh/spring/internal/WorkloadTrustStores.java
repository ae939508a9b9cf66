package dev.weft.mesh.spring.internal;

import java.security.KeyStore;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Remembers which trust stores the starter put in the workload's SSL bundles, and the trust manager
 * that must verify peers in their place. Servers that take a bundle's trust store rather than its
 * trust managers (Tomcat) look the store up here, so they verify with Weft's trust manager instead
 * of plain PKIX. Entries go when the bundle's store is no longer referenced.
 */
public final class WorkloadTrustStores {
  // KeyStore keeps Object's identity equality, so this is an identity map with weak keys.
  private static final Map<KeyStore, X509ExtendedTrustManager> STORES =
      Collections.synchronizedMap(new WeakHashMap<>());

  private WorkloadTrustStores() {}

  /** Records that {@code store} stands for {@code trustManager}. */
  public static void register(KeyStore store, X509ExtendedTrustManager trustManager) {
    STORES.put(store, trustManager);
  }

  /** The trust manager {@code store} stands for, or null when it is not a workload trust store. */
  public static X509ExtendedTrustManager trustManager(KeyStore store) {
    return store == null ? null : STORES.get(store);
  }
}
