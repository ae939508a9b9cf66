package dev.weft.mesh.testing.certs;

import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.testing.certs.DevCertificates.KeyAlgorithm;
import dev.weft.mesh.testing.certs.DevCertificates.KeyFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Mints a development CA and workload certificates with SPIFFE IDs, as PEM files laid out the way
 * Istio mounts them. Run {@code DevCerts --help} for usage; docs/security.md has examples.
 *
 * <pre>
 * DIR/ca/root-cert.pem   the CA certificate (created once, then reused)
 * DIR/ca/ca-key.pem      the CA private key
 * DIR/NAME/cert-chain.pem, DIR/NAME/key.pem, DIR/NAME/root-cert.pem   per workload
 * </pre>
 */
public final class DevCerts {
  static final String USAGE =
      """
      usage: DevCerts [options] WORKLOAD...
        WORKLOAD              a service account name (becomes spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/NAME)
                              or a full SPIFFE ID
      options:
        --dir DIR             where to write (default: certs)
        --trust-domain TD     trust domain for short names (default: cluster.local)
        --namespace NS        namespace for short names (default: default)
        --dns NAME            add a DNS SAN to every workload (repeatable), e.g. localhost
        --ip ADDRESS          add an IP SAN to every workload (repeatable), e.g. 127.0.0.1
        --days N              workload validity in days (default: 30)
        --hours N             workload validity in hours (instead of --days)
        --expired             mint certificates that expired an hour ago (for tests)
        --rsa                 RSA 2048 keys instead of EC P-256
        --key-format F        pkcs8 (default) or traditional (PKCS#1 / SEC1)
        --ca-name NAME        common name of a new CA (default: Weft development CA)
        --help                show this help
      """;

  private DevCerts() {}

  /** Runs the command and exits with its code when that is not 0. */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the command; returns the exit code (0 done, 1 failed, 2 bad usage). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path dir = Path.of("certs");
    String trustDomain = "cluster.local";
    String namespace = "default";
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    Duration validity = Duration.ofDays(30);
    boolean expired = false;
    KeyAlgorithm algorithm = KeyAlgorithm.EC;
    KeyFormat format = KeyFormat.PKCS8;
    String caName = "Weft development CA";
    List<String> workloads = new ArrayList<>();
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--help", "-h" -> {
            out.print(USAGE);
            return 0;
          }
          case "--dir" -> dir = Path.of(value(args, ++i, a));
          case "--trust-domain" -> trustDomain = value(args, ++i, a);
          case "--namespace" -> namespace = value(args, ++i, a);
          case "--dns" -> dns.add(value(args, ++i, a));
          case "--ip" -> ips.add(value(args, ++i, a));
          case "--days" -> validity = Duration.ofDays(positive(value(args, ++i, a), a));
          case "--hours" -> validity = Duration.ofHours(positive(value(args, ++i, a), a));
          case "--expired" -> expired = true;
          case "--rsa" -> algorithm = KeyAlgorithm.RSA;
          case "--key-format" ->
              format =
                  switch (value(args, ++i, a).toLowerCase(Locale.ROOT)) {
                    case "pkcs8" -> KeyFormat.PKCS8;
                    case "traditional", "pkcs1", "sec1" -> KeyFormat.TRADITIONAL;
                    default ->
                        throw new IllegalArgumentException(
                            "--key-format must be pkcs8 or traditional");
                  };
          case "--ca-name" -> caName = value(args, ++i, a);
          default -> {
            if (a.startsWith("-")) {
              throw new IllegalArgumentException("unknown option " + a);
            }
            workloads.add(a);
          }
        }
      }
      if (workloads.isEmpty()) {
        throw new IllegalArgumentException("name at least one workload");
      }
      List<SpiffeId> ids = new ArrayList<>();
      for (String w : workloads) {
        ids.add(
            w.startsWith("spiffe://") ? SpiffeId.parse(w) : SpiffeId.of(trustDomain, namespace, w));
      }

      DevCertificateAuthority ca = authority(dir.resolve("ca"), caName, out);
      for (SpiffeId id : ids) {
        DevCertificateAuthority.WorkloadBuilder b =
            ca.workload(id.toString())
                .dnsNames(dns.toArray(String[]::new))
                .ipAddresses(ips.toArray(String[]::new))
                .keyAlgorithm(algorithm);
        b = expired ? b.expired() : b.validFor(validity);
        IssuedCertificate cert = b.issue();
        Path wdir = dir.resolve(name(id));
        cert.writeCertificateChain(wdir.resolve("cert-chain.pem"));
        cert.writePrivateKey(wdir.resolve("key.pem"), format);
        ca.writeCertificate(wdir.resolve("root-cert.pem"));
        out.println("wrote " + wdir + "/{cert-chain.pem,key.pem,root-cert.pem} for " + cert);
      }
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("DevCerts: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (IOException | RuntimeException e) {
      err.println("DevCerts: failed: " + e.getMessage());
      return 1;
    }
  }

  private static DevCertificateAuthority authority(Path caDir, String caName, PrintStream out)
      throws IOException {
    Path cert = caDir.resolve("root-cert.pem");
    Path key = caDir.resolve("ca-key.pem");
    if (Files.exists(cert) && Files.exists(key)) {
      DevCertificateAuthority ca = DevCertificates.loadAuthority(cert, key);
      out.println(
          "using the CA in "
              + caDir
              + " ('"
              + ca.certificate().getSubjectX500Principal().getName()
              + "')");
      return ca;
    }
    Instant now = Instant.now();
    DevCertificateAuthority ca =
        DevCertificates.newAuthority(
            caName,
            now.minus(Duration.ofMinutes(1)),
            now.plus(DevCertificates.DEFAULT_CA_VALIDITY));
    ca.writeTo(cert, key);
    out.println(
        "created a CA in "
            + caDir
            + " ('"
            + ca.certificate().getSubjectX500Principal().getName()
            + "')");
    return ca;
  }

  /** The directory name for a workload: its service account, or the last segment of its path. */
  static String name(SpiffeId id) {
    return id.serviceAccount()
        .orElseGet(
            () -> {
              String path = id.path();
              return path.isEmpty() ? id.trustDomain() : path.substring(path.lastIndexOf('/') + 1);
            });
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static long positive(String v, String option) {
    try {
      long n = Long.parseLong(v);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " needs a positive whole number, was '" + v + "'");
  }
}
