package dev.weft.mesh.security.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads certificates and private keys from PEM files. Private keys may be PKCS#8 ({@code PRIVATE
 * KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}); encrypted keys are not
 * supported. Every error names the file.
 */
public final class PemFiles {
  private PemFiles() {}

  /** Reads every certificate in a PEM file, in order. Fails if there is none. */
  public static List<X509Certificate> readCertificates(Path file) {
    return parseCertificates(file, read(file));
  }

  /** Reads the one private key in a PEM file. */
  public static PrivateKey readPrivateKey(Path file) {
    return parsePrivateKey(file, read(file));
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new TlsMaterialException(file, file + ": file not found");
    } catch (IOException e) {
      throw new TlsMaterialException(file, file + ": cannot read: " + e, e);
    }
  }

  static List<X509Certificate> parseCertificates(Path file, byte[] content) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = parser(content)) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(converter.getCertificate(holder));
        } else {
          throw new TlsMaterialException(
              file, file + ": expected only certificates, found " + describe(o));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      if (e instanceof TlsMaterialException tme) {
        throw tme;
      }
      throw new TlsMaterialException(
          file, file + ": not valid PEM certificates: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new TlsMaterialException(
          file, file + ": no PEM certificate found (expected -----BEGIN CERTIFICATE-----)");
    }
    return List.copyOf(out);
  }

  static PrivateKey parsePrivateKey(Path file, byte[] content) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    PrivateKey key = null;
    try (PEMParser parser = parser(content)) {
      Object o;
      while ((o = parser.readObject()) != null) {
        PrivateKey found;
        if (o instanceof PrivateKeyInfo info) {
          found = converter.getPrivateKey(info);
        } else if (o instanceof PEMKeyPair pair) {
          found =
              converter.getPrivateKey(
                  pair.getPrivateKeyInfo()); // the public half may be absent (SEC1)
        } else if (o instanceof ASN1ObjectIdentifier) {
          continue; // the "EC PARAMETERS" block OpenSSL writes before an EC key
        } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new TlsMaterialException(
              file, file + ": the private key is encrypted; give an unencrypted key");
        } else {
          throw new TlsMaterialException(
              file, file + ": expected a private key, found " + describe(o));
        }
        if (key != null) {
          throw new TlsMaterialException(file, file + ": more than one private key");
        }
        key = found;
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof TlsMaterialException tme) {
        throw tme;
      }
      throw new TlsMaterialException(
          file, file + ": not a valid PEM private key: " + e.getMessage(), e);
    }
    if (key == null) {
      throw new TlsMaterialException(
          file,
          file
              + ": no PEM private key found (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }
    return key;
  }

  /**
   * Whether {@code key} is the private half of {@code publicKey}, proved by signing a random
   * challenge and verifying it (works for RSA, EC and EdDSA alike).
   */
  public static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
          default -> null;
        };
    if (algorithm == null || !compatible(key.getAlgorithm(), publicKey.getAlgorithm())) {
      return false;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean compatible(String privateAlgorithm, String publicAlgorithm) {
    return privateAlgorithm.equals(publicAlgorithm)
        || (privateAlgorithm.startsWith("Ed") && publicAlgorithm.startsWith("Ed"));
  }

  private static PEMParser parser(byte[] content) {
    return new PEMParser(
        new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.US_ASCII));
  }

  private static String describe(Object pemObject) {
    if (pemObject instanceof PrivateKeyInfo || pemObject instanceof PEMKeyPair) {
      return "a private key";
    }
    if (pemObject instanceof X509CertificateHolder) {
      return "a certificate";
    }
    return "a " + pemObject.getClass().getSimpleName();
  }
}
