package dev.weft.mesh.spring.internal;

import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.net.SSLUtil;
import org.apache.tomcat.util.net.jsse.JSSEImplementation;
import org.apache.tomcat.util.net.jsse.JSSEUtil;

/**
 * Tomcat's JSSE implementation, except that a host whose trust store came from the workload's SSL
 * bundle verifies client certificates with Weft's trust manager (SVID shape, trust domains, per
 * domain bundles, the injected clock, no session resumption) instead of Tomcat's PKIX one. Set on a
 * connector by the starter (Tomcat instantiates it by class name); hosts with other trust stores
 * are served exactly as by {@link JSSEImplementation}. The choice is made each time Tomcat builds a
 * host's SSL context, so it holds after the bundle is updated too.
 */
public class WorkloadTomcatSslImplementation extends JSSEImplementation {
  /** Called by Tomcat. */
  public WorkloadTomcatSslImplementation() {}

  @Override
  public SSLUtil getSSLUtil(SSLHostConfigCertificate certificate) {
    return new JSSEUtil(certificate) {
      @Override
      public TrustManager[] getTrustManagers() throws Exception {
        X509ExtendedTrustManager weft =
            WorkloadTrustStores.trustManager(sslHostConfig.getTruststore());
        return weft != null ? new TrustManager[] {weft} : super.getTrustManagers();
      }
    };
  }
}
