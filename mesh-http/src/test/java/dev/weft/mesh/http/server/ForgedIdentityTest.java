package dev.weft.mesh.http.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.api.security.AuthorizationPolicy;
import dev.weft.mesh.api.security.AuthorizationPolicy.Action;
import dev.weft.mesh.api.security.AuthorizationPolicy.Rule;
import dev.weft.mesh.api.security.AuthorizationPolicy.Source;
import dev.weft.mesh.security.AuthorizationEnforcer;
import dev.weft.mesh.security.Authorizer;
import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import dev.weft.mesh.testing.http.RawHttp;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ValveBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A valve (or anything before the filter) that fills the client-certificate attribute from a
 * header, as proxies' "SSL client certificate" headers are sometimes wired, never gives a caller an
 * identity: the filter vouches only for chains from a secure connection that verify against the
 * workload's bundle.
 */
class ForgedIdentityTest {
  private static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  @TempDir Path dir;
  private final DevCertificateAuthority ca = DevCertificates.newAuthority("weft.test CA");
  private final AtomicInteger served = new AtomicInteger();
  private EmbeddedTomcat tomcat;
  private WorkloadTls tls;

  @AfterEach
  void stop() throws LifecycleException {
    if (tomcat != null) {
      tomcat.close();
    }
    if (tls != null) {
      tls.close();
    }
  }

  /** Puts the real certificate of productpage in the attribute when asked by a header. */
  static final class ForgingValve extends ValveBase {
    private final X509Certificate[] chain;

    ForgingValve(X509Certificate[] chain) {
      this.chain = chain;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
      if (request.getHeader("x-client-cert") != null) {
        request.setAttribute("jakarta.servlet.request.X509Certificate", chain);
        request.setAttribute(
            MeshServletFilter.PEER_IDENTITY_ATTRIBUTE, PeerIdentity.from(chain).orElseThrow());
      }
      getNext().invoke(request, response);
    }
  }

  @Test
  void aCertificateAttributeFromAHeaderIsNeverAnIdentity() throws Exception {
    IssuedCertificate productpage = ca.workload(PRODUCTPAGE).issue();
    IssuedCertificate reviews = ca.workload("spiffe://weft.test/ns/default/sa/reviews").issue();
    reviews.writeTo(dir.resolve("chain.pem"), dir.resolve("key.pem"));
    ca.writeCertificate(dir.resolve("ca.pem"));
    tls =
        WorkloadTls.builder()
            .identity(dir.resolve("chain.pem"), dir.resolve("key.pem"))
            .caCertificates(dir.resolve("ca.pem"))
            .trustDomains("weft.test")
            .build();
    AuthorizationEnforcer onlyProductpage = AuthorizationEnforcer.builder().build();
    onlyProductpage.update(
        Authorizer.of(
            List.of(
                AuthorizationPolicy.of(
                    "productpage-only", Action.ALLOW, Rule.from(Source.principals(PRODUCTPAGE))))));

    tomcat = new EmbeddedTomcat(dir.resolve("tomcat"), "");
    Context ctx = tomcat.context;
    ctx.getPipeline()
        .addValve(new ForgingValve(productpage.chain().toArray(X509Certificate[]::new)));
    Tomcat.addServlet(
        ctx,
        "reviews",
        new HttpServlet() {
          @Override
          protected void doGet(HttpServletRequest req, HttpServletResponse resp)
              throws IOException {
            served.incrementAndGet();
            resp.getWriter()
                .write(
                    MeshServletFilter.peerIdentity(req)
                        .map(p -> p.spiffeId().toString())
                        .orElse("anonymous"));
          }
        });
    ctx.addServletMappingDecoded("/*", "reviews");
    tomcat.filter(
        MeshServletFilter.builder("reviews")
            .authorization(onlyProductpage)
            .workloadTls(tls)
            .build());
    int port = tomcat.start();

    RawHttp.Response forged =
        RawHttp.send(port, "GET", "/reviews/1", List.of("x-client-cert: yes"), null);
    assertThat(forged.status())
        .as("a plaintext request with a forged certificate attribute")
        .isEqualTo(403);
    assertThat(served).hasValue(0);
  }
}
