package dev.weft.mesh.security.testing;

import dev.weft.mesh.security.testing.DevCertificates.KeyFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/** Writes PEM files, each in one atomic step so that a watcher never sees half a file. */
final class PemIo {
  private PemIo() {}

  static String certificatesPem(List<X509Certificate> certificates) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      for (X509Certificate c : certificates) {
        pem.writeObject(c);
      }
    }
    return out.toString();
  }

  static String privateKeyPem(PrivateKey key, KeyFormat format) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
      if (format == KeyFormat.PKCS8) {
        pem.writeObject(new JcaPKCS8Generator(key, null));
      } else if (key instanceof java.security.interfaces.ECPrivateKey ec) {
        // SEC1 with the curve named inside, as OpenSSL writes it (the JDK's encoding keeps the
        // curve only in the PKCS#8 wrapper, so a plain conversion would lose it).
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey full = new ECPrivateKey(ec.getParams().getOrder().bitLength(), inner.getKey(),
            info.getPrivateKeyAlgorithm().getParameters());
        pem.writeObject(new PemObject("EC PRIVATE KEY", full.getEncoded()));
      } else {
        pem.writeObject(key);
      }
    }
    return out.toString();
  }

  static void writeCertificates(Path file, List<X509Certificate> certificates) throws IOException {
    writeAtomically(file, certificatesPem(certificates));
  }

  static void writePrivateKey(Path file, PrivateKey key, KeyFormat format) throws IOException {
    writeAtomically(file, privateKeyPem(key, format));
  }

  static void writeAtomically(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
