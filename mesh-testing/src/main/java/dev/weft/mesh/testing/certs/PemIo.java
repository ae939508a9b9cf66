package dev.weft.mesh.testing.certs;

import dev.weft.mesh.testing.certs.DevCertificates.KeyFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Writes PEM files, each in one atomic step so that a watcher never sees half a file, and reads
 * back a CA this kit wrote (the certificates and key of {@code DevCerts}' {@code ca/} directory).
 */
final class PemIo {
  private PemIo() {}

  /** The certificates of a PEM file, in order. */
  static List<X509Certificate> readCertificates(Path file) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser =
        new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(converter.getCertificate(holder));
        }
      }
    } catch (CertificateException e) {
      throw new IOException(file + ": not a certificate: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IOException(file + ": no CERTIFICATE block");
    }
    return out;
  }

  /** The private key of a PEM file (PKCS#8, SEC1 or PKCS#1, unencrypted). */
  static PrivateKey readPrivateKey(Path file) throws IOException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser =
        new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    }
    throw new IOException(file + ": no unencrypted PRIVATE KEY block");
  }

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
        ECPrivateKey full =
            new ECPrivateKey(
                ec.getParams().getOrder().bitLength(),
                inner.getKey(),
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
