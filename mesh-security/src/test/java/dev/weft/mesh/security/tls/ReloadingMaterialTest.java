package dev.weft.mesh.security.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.mesh.testing.FakeScheduler;
import dev.weft.mesh.testing.FakeTicker;
import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.DevCertificates;
import dev.weft.mesh.testing.certs.DevCertificates.KeyAlgorithm;
import dev.weft.mesh.testing.certs.DevCertificates.KeyFormat;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and reloading PEM material, including every way the files can be wrong. */
class ReloadingMaterialTest {
  static final String ID = "spiffe://weft.test/ns/default/sa/reviews";
  static DevCertificateAuthority ca;

  @TempDir Path dir;

  @BeforeAll
  static void mint() {
    ca = DevCertificates.newAuthority("weft.test CA");
  }

  private final List<TlsMaterialException> failures = new ArrayList<>();
  private final List<String> reloads = new ArrayList<>();

  private final TlsMaterialListener recorder =
      new TlsMaterialListener() {
        @Override
        public void reloaded(String description) {
          reloads.add(description);
        }

        @Override
        public void reloadFailed(TlsMaterialException error) {
          failures.add(error);
        }
      };

  @Test
  void readsPkcs8Pkcs1AndSec1Keys() throws Exception {
    IssuedCertificate ec = ca.workload(ID).issue();
    IssuedCertificate rsa = ca.workload(ID).keyAlgorithm(KeyAlgorithm.RSA).issue();
    Path chain = dir.resolve("chain.pem");
    Path key = dir.resolve("key.pem");

    ec.writeCertificateChain(chain).writePrivateKey(key, KeyFormat.TRADITIONAL);
    assertThat(Files.readString(key)).contains("BEGIN EC PRIVATE KEY");
    assertThat(ReloadingKeyManager.fromFiles(chain, key).current().certificate())
        .isEqualTo(ec.certificate());

    rsa.writeCertificateChain(chain).writePrivateKey(key, KeyFormat.TRADITIONAL);
    assertThat(Files.readString(key)).contains("BEGIN RSA PRIVATE KEY");
    assertThat(ReloadingKeyManager.fromFiles(chain, key).current().privateKey().getAlgorithm())
        .isEqualTo("RSA");

    rsa.writePrivateKey(key, KeyFormat.PKCS8);
    assertThat(Files.readString(key)).contains("BEGIN PRIVATE KEY");
    assertThat(ReloadingKeyManager.fromFiles(chain, key).current().certificate().getSerialNumber())
        .isEqualTo(rsa.serialNumber());
  }

  @Test
  void aMissingFileFailsTheFirstLoadNamingIt() {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> ReloadingKeyManager.fromFiles(missing, dir.resolve("key.pem")))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("file not found");
    assertThatThrownBy(() -> TrustBundle.fromFile(missing))
        .hasMessageContaining(missing + ": file not found");
  }

  @Test
  void garbageFailsTheFirstLoadNamingTheFile() throws Exception {
    Path chain = dir.resolve("chain.pem");
    Path key = dir.resolve("key.pem");
    ca.workload(ID).issue().writeTo(chain, key);
    Files.writeString(key, "this is not a key\n");
    assertThatThrownBy(() -> ReloadingKeyManager.fromFiles(chain, key))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageContaining(key + ": no PEM private key found");
    Files.writeString(chain, "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> TrustBundle.fromFile(chain))
        .hasMessageContaining(chain + ": not valid PEM certificates");
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateFailsTheFirstLoad() throws Exception {
    Path chain = dir.resolve("chain.pem");
    Path key = dir.resolve("key.pem");
    ca.workload(ID).issue().writeCertificateChain(chain);
    ca.workload(ID).issue().writePrivateKey(key);
    assertThatThrownBy(() -> ReloadingKeyManager.fromFiles(chain, key))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageContaining(
            "the private key in " + key + " does not match the certificate in " + chain)
        .satisfies(e -> assertThat(((TlsMaterialException) e).files()).containsExactly(chain, key));
  }

  @Test
  void reloadSwapsInANewPairAndKeepsTheOldOneWhenTheNewFilesAreBad() throws Exception {
    Path chain = dir.resolve("chain.pem");
    Path key = dir.resolve("key.pem");
    IssuedCertificate first = ca.workload(ID).issue();
    first.writeTo(chain, key);
    ReloadingKeyManager km = ReloadingKeyManager.fromFiles(chain, key).addListener(recorder);
    String firstAlias = km.chooseServerAlias("EC", null, null);

    assertThat(km.reload()).as("unchanged files").isFalse();

    // garbage key
    Files.writeString(key, "garbage");
    assertThat(km.reload()).isFalse();
    assertThat(km.current().certificate()).isEqualTo(first.certificate());
    assertThat(failures)
        .singleElement()
        .satisfies(e -> assertThat(e).hasMessageContaining(key.toString()));
    assertThat(km.lastError()).isNotNull();
    assertThat(km.reload()).as("the same bad content is reported once").isFalse();
    assertThat(failures).hasSize(1);

    // a new certificate with the old key: mismatched
    IssuedCertificate second = ca.workload(ID).issue();
    second.writeCertificateChain(chain);
    first.writePrivateKey(key);
    assertThat(km.reload()).isFalse();
    assertThat(failures).hasSize(2);
    assertThat(failures.get(1)).hasMessageContaining("does not match the certificate in " + chain);
    assertThat(km.current().certificate()).isEqualTo(first.certificate());

    // a missing file
    Files.delete(key);
    assertThat(km.reload()).isFalse();
    assertThat(failures.get(2)).hasMessageContaining(key + ": file not found");
    assertThat(km.getCertificateChain(km.chooseServerAlias("EC", null, null))[0])
        .isEqualTo(first.certificate());

    // finally the matching key arrives
    second.writePrivateKey(key);
    assertThat(km.reload()).isTrue();
    assertThat(km.lastError()).isNull();
    assertThat(reloads)
        .singleElement()
        .satisfies(d -> assertThat(d).contains(second.serialNumber().toString(16)));
    String secondAlias = km.chooseServerAlias("EC", null, null);
    assertThat(km.getCertificateChain(secondAlias)[0]).isEqualTo(second.certificate());
    assertThat(km.getPrivateKey(secondAlias)).isEqualTo(second.privateKey());
    // a handshake that picked the old alias just before the swap still gets a consistent old pair
    assertThat(km.getCertificateChain(firstAlias)[0]).isEqualTo(first.certificate());
    assertThat(km.getPrivateKey(firstAlias)).isEqualTo(first.privateKey());
    assertThat(km.chooseServerAlias("RSA", null, null)).as("no RSA key here").isNull();
  }

  @Test
  void watchingChecksTheFilesOnTheInjectedScheduler() throws Exception {
    Path chain = dir.resolve("chain.pem");
    Path key = dir.resolve("key.pem");
    Path bundleFile = dir.resolve("ca.pem");
    ca.workload(ID).issue().writeTo(chain, key);
    ca.writeCertificate(bundleFile);
    FakeScheduler scheduler = new FakeScheduler(new FakeTicker());
    ReloadingKeyManager km = ReloadingKeyManager.fromFiles(chain, key);
    TrustBundle bundle = TrustBundle.fromFile(bundleFile).addListener(recorder);
    km.watch(scheduler, Duration.ofSeconds(10));
    bundle.watch(scheduler, Duration.ofSeconds(10));

    IssuedCertificate next = ca.workload(ID).issue();
    next.writeTo(chain, key);
    DevCertificateAuthority newCa = DevCertificates.newAuthority("next CA");
    Files.writeString(bundleFile, Files.readString(bundleFile) + pem(newCa));

    scheduler.advance(Duration.ofSeconds(9));
    assertThat(km.current().certificate()).as("not yet checked").isNotEqualTo(next.certificate());
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(km.current().certificate()).isEqualTo(next.certificate());
    assertThat(bundle.certificates()).hasSize(2).contains(newCa.certificate());

    Files.writeString(bundleFile, "garbage");
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(bundle.certificates()).as("the old bundle stays").hasSize(2);
    assertThat(failures)
        .singleElement()
        .satisfies(e -> assertThat(e).hasMessageContaining(bundleFile.toString()));

    km.close();
    bundle.close();
    assertThat(scheduler.pendingTasks()).isZero();
  }

  private String pem(DevCertificateAuthority authority) throws Exception {
    Path tmp = dir.resolve("tmp-ca.pem");
    authority.writeCertificate(tmp);
    return Files.readString(tmp);
  }

  static X509Certificate leaf(ReloadingKeyManager km) {
    return km.current().certificate();
  }
}
