package dev.weft.mesh.security.tls;

import dev.weft.mesh.testing.certs.DevCertificateAuthority;
import dev.weft.mesh.testing.certs.IssuedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The three PEM files of one workload in a test directory. */
record TlsFiles(Path chain, Path key, Path ca) {

  static TlsFiles write(Path dir, String name, IssuedCertificate cert, DevCertificateAuthority ca) {
    TlsFiles f =
        new TlsFiles(
            dir.resolve(name + "-chain.pem"),
            dir.resolve(name + "-key.pem"),
            dir.resolve(name + "-ca.pem"));
    try {
      cert.writeTo(f.chain, f.key);
      ca.writeCertificate(f.ca);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }

  void rotate(IssuedCertificate cert) {
    try {
      cert.writeTo(chain, key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ReloadingKeyManager keyManager() {
    return ReloadingKeyManager.fromFiles(chain, key);
  }

  TrustBundle bundle() {
    return TrustBundle.fromFile(ca);
  }
}
