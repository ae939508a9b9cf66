package dev.weft.samples.bookinfo;

import dev.weft.mesh.security.tls.WorkloadTls;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * BookInfo's development PKI: a CA minted at start and one workload certificate per service
 * account, written as the three PEM files Istio mounts ({@code cert-chain.pem}, {@code key.pem},
 * {@code root-cert.pem}) into {@code DIR/ACCOUNT/}, each loaded into its own {@link WorkloadTls}
 * (watched, so replacing the files rotates the certificate). Closing closes the workloads and
 * deletes the directory.
 *
 * <p>The identities follow Istio's layout {@code spiffe://weft.test/ns/NAMESPACE/sa/ACCOUNT}.
 * Istio's BookInfo names its service accounts {@code bookinfo-productpage} and so on; here the
 * account is the service's name, {@code spiffe://weft.test/ns/default/sa/productpage}, {@code
 * .../sa/details}, {@code .../sa/reviews} (all three versions: one account, like Istio's {@code
 * bookinfo-reviews}) and {@code .../sa/ratings}. The traffic BookInfo sends to productpage comes
 * from {@value #INGRESS_ID}, standing in for Istio's ingress gateway.
 */
final class Identities implements AutoCloseable {
  static final String TRUST_DOMAIN = "weft.test";

  /** The account of the client that sends BookInfo its traffic, in Istio the ingress gateway. */
  static final String INGRESS = "ingressgateway";

  static final String INGRESS_ID = "spiffe://weft.test/ns/istio-system/sa/ingressgateway";

  /** The service accounts that get a certificate, in the order they are minted. */
  static final List<String> ACCOUNTS =
      List.of("productpage", "details", "reviews", "ratings", INGRESS);

  private final Path dir;
  private final Map<String, WorkloadTls> workloads = new LinkedHashMap<>();

  private Identities(Path dir) {
    this.dir = dir;
  }

  /** The SPIFFE ID of a BookInfo service account. */
  static String spiffeId(String account) {
    return account.equals(INGRESS)
        ? INGRESS_ID
        : "spiffe://" + TRUST_DOMAIN + "/ns/default/sa/" + account;
  }

  /**
   * Mints a new CA and a certificate for every account in {@link #ACCOUNTS} into a new directory
   * under {@code parent}, valid for {@code validity}, and loads one {@link WorkloadTls} per
   * account.
   */
  static Identities mint(Path parent, Duration validity) throws IOException {
    Files.createDirectories(parent);
    Identities identities =
        new Identities(Files.createTempDirectory(parent, "weft-bookinfo-certs-"));
    try {
      DevCertificateAuthority ca = DevCertificates.newAuthority("BookInfo " + TRUST_DOMAIN + " CA");
      for (String account : ACCOUNTS) {
        Path home = Files.createDirectories(identities.dir.resolve(account));
        ca.workload(spiffeId(account))
            .validFor(validity)
            .issue()
            .writeTo(home.resolve("cert-chain.pem"), home.resolve("key.pem"));
        ca.writeCertificate(home.resolve("root-cert.pem"));
        identities.workloads.put(
            account,
            WorkloadTls.builder()
                .identity(home.resolve("cert-chain.pem"), home.resolve("key.pem"))
                .caCertificates(home.resolve("root-cert.pem"))
                .trustDomains(TRUST_DOMAIN)
                .watch(Duration.ofSeconds(10))
                .build());
      }
      return identities;
    } catch (IOException | RuntimeException e) {
      identities.close();
      throw e;
    }
  }

  /** The TLS side of one account. */
  WorkloadTls tls(String account) {
    WorkloadTls tls = workloads.get(account);
    if (tls == null) {
      throw new IllegalArgumentException(
          "no certificate for '" + account + "'; the accounts are " + ACCOUNTS);
    }
    return tls;
  }

  /** Where the PEM files are. */
  Path dir() {
    return dir;
  }

  @Override
  public void close() {
    workloads.values().forEach(WorkloadTls::close);
    workloads.clear();
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}
