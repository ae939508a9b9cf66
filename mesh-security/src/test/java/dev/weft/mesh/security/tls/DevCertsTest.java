package dev.weft.mesh.security.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.mesh.security.PeerIdentity;
import dev.weft.mesh.testing.certs.DevCerts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCertsTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return DevCerts.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void mintsACaOnceAndWorkloadCertificatesSignedByIt() throws Exception {
    assertThat(
            run(
                "--dir",
                dir.toString(),
                "--trust-domain",
                "weft.test",
                "--dns",
                "localhost",
                "--ip",
                "127.0.0.1",
                "productpage",
                "spiffe://weft.test/ns/bookinfo/sa/reviews"))
        .isZero();
    assertThat(
            run(
                "--dir",
                dir.toString(),
                "--trust-domain",
                "weft.test",
                "--key-format",
                "traditional",
                "ratings"))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("created a CA")
        .contains("using the CA");

    X509Certificate root = PemFiles.readCertificates(dir.resolve("ca/root-cert.pem")).get(0);
    for (String name : List.of("productpage", "reviews", "ratings")) {
      Path w = dir.resolve(name);
      X509Certificate leaf =
          ReloadingKeyManager.fromFiles(w.resolve("cert-chain.pem"), w.resolve("key.pem"))
              .current()
              .certificate();
      leaf.verify(root.getPublicKey());
      assertThat(PemFiles.readCertificates(w.resolve("root-cert.pem"))).containsExactly(root);
    }
    X509Certificate productpage =
        PemFiles.readCertificates(dir.resolve("productpage/cert-chain.pem")).get(0);
    assertThat(PeerIdentity.fromSvid(productpage).spiffeId().toString())
        .isEqualTo("spiffe://weft.test/ns/default/sa/productpage");
    assertThat(PeerIdentity.allSans(productpage)).contains("localhost", "127.0.0.1");
    assertThat(
            PeerIdentity.fromSvid(
                    PemFiles.readCertificates(dir.resolve("reviews/cert-chain.pem")).get(0))
                .spiffeId()
                .namespace())
        .hasValue("bookinfo");
    assertThat(Files.readString(dir.resolve("ratings/key.pem"))).contains("BEGIN EC PRIVATE KEY");
  }

  @Test
  void mintsExpiredCertificatesOnRequest() {
    assertThat(run("--dir", dir.toString(), "--expired", "old")).isZero();
    X509Certificate old = PemFiles.readCertificates(dir.resolve("old/cert-chain.pem")).get(0);
    assertThat(old.getNotAfter()).isBefore(new Date());
  }

  @Test
  void badUsageSaysWhatIsWrong() {
    assertThat(run("--days", "zero", "x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--days needs a positive whole number, was 'zero'")
        .contains("usage:");
    assertThat(run("--dir", dir.toString(), "spiffe://Bad/x")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a valid SPIFFE ID");
    assertThat(run()).isEqualTo(2);
    assertThat(run("--help")).isZero();
  }
}
