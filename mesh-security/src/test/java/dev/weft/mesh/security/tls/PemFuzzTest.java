package dev.weft.mesh.security.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the PEM readers with the bytes of a file an operator or a certificate agent writes: {@link
 * PemFiles#readCertificates}, {@link PemFiles#readPrivateKey} and {@link TrustBundle#fromFile}.
 * Only {@link TlsMaterialException}, naming the file, escapes. The seeds in {@code
 * PemFuzzTestInputs} run as regression tests; see {@code docs/fuzzing.md}.
 */
class PemFuzzTest {
  private static final Path DIR = tempDir();
  private static final Path FILE = DIR.resolve("fuzz.pem");

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("pem-fuzz");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(byte[] content) {
    try {
      Files.write(FILE, content);
      FILE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void certificates(byte[] content) {
    write(content);
    List<X509Certificate> certs;
    try {
      certs = PemFiles.readCertificates(FILE);
    } catch (TlsMaterialException e) {
      assertThat(e.getMessage()).contains(FILE.toString());
      return;
    }
    assertThat(certs).isNotEmpty().doesNotContainNull();
  }

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void privateKey(byte[] content) {
    write(content);
    PrivateKey key;
    try {
      key = PemFiles.readPrivateKey(FILE);
    } catch (TlsMaterialException e) {
      assertThat(e.getMessage()).contains(FILE.toString());
      return;
    }
    assertThat(key).isNotNull();
  }

  @FuzzTest(maxDuration = "1m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void trustBundle(byte[] content) {
    write(content);
    try (TrustBundle bundle = TrustBundle.fromFile(FILE)) {
      assertThat(bundle.certificates()).isNotEmpty();
      bundle.reload(); // the unchanged file reads again
    } catch (TlsMaterialException e) {
      assertThat(e.getMessage()).contains(FILE.toString());
    }
  }
}
