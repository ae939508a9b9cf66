package dev.weft.mesh.grpc;

import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Workload certificates written to a test directory, and the {@link WorkloadTls}s over them (closed
 * by {@link #close}).
 */
final class TestWorkloads implements AutoCloseable {
  static final String TRUST_DOMAIN = "weft.test";
  static final String REVIEWS = "spiffe://weft.test/ns/default/sa/reviews";
  static final String PRODUCTPAGE = "spiffe://weft.test/ns/default/sa/productpage";
  static final String RATINGS = "spiffe://weft.test/ns/default/sa/ratings";

  private final Path dir;
  private final List<WorkloadTls> opened = new ArrayList<>();

  TestWorkloads(Path dir) {
    this.dir = dir;
  }

  /** The files of one workload. */
  record Files(Path chain, Path key, Path ca) {
    void rotate(IssuedCertificate next) {
      try {
        next.writeTo(chain, key);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Writes {@code cert} and the CA that the workload trusts ({@code trusted}) under {@code name}.
   */
  Files write(String name, IssuedCertificate cert, DevCertificateAuthority trusted) {
    Files f =
        new Files(
            dir.resolve(name + "-chain.pem"),
            dir.resolve(name + "-key.pem"),
            dir.resolve(name + "-ca.pem"));
    try {
      cert.writeTo(f.chain(), f.key());
      trusted.writeCertificate(f.ca());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }

  WorkloadTls tls(Files f) {
    WorkloadTls tls =
        WorkloadTls.builder()
            .identity(f.chain(), f.key())
            .caCertificates(f.ca())
            .trustDomains(TRUST_DOMAIN)
            .build();
    opened.add(tls);
    return tls;
  }

  /**
   * A workload with a fresh certificate for {@code spiffeId} from {@code ca}, trusting {@code ca}.
   */
  WorkloadTls tls(String name, String spiffeId, DevCertificateAuthority ca) {
    return tls(write(name, ca.workload(spiffeId).ipAddresses("127.0.0.1").issue(), ca));
  }

  @Override
  public void close() {
    opened.forEach(WorkloadTls::close);
  }
}
