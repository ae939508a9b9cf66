package dev.weft.mesh.security.tls;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.runtime.Scheduler;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The CA certificates trusted to sign peers' certificates, read from a PEM bundle and re-read when
 * the file changes (a bad new file keeps the old bundle, and the error naming the file is logged
 * and reported). Shared by any number of {@link ReloadingTrustManager}s. Thread-safe.
 */
public final class TrustBundle implements AutoCloseable {
  private final ReloadableFiles<Anchors> files;

  /** The bundle's certificates with their trust anchors, built once per load. */
  record Anchors(List<X509Certificate> certificates, Set<TrustAnchor> anchors) {
    static Anchors of(List<X509Certificate> certificates) {
      Set<TrustAnchor> anchors = new HashSet<>();
      for (X509Certificate c : certificates) {
        anchors.add(new TrustAnchor(c, null));
      }
      return new Anchors(List.copyOf(certificates), Set.copyOf(anchors));
    }

    @Override
    public String toString() {
      return certificates.size()
          + " CA certificate(s) "
          + certificates.stream()
              .map(c -> "'" + c.getSubjectX500Principal().getName() + "'")
              .toList();
    }
  }

  private TrustBundle(Path file) {
    this.files =
        new ReloadableFiles<>(
            "CA bundle",
            List.of(file),
            contents -> Anchors.of(PemFiles.parseCertificates(file, contents.get(0))),
            Anchors::toString);
  }

  /**
   * Loads a PEM file of CA certificates.
   *
   * @throws TlsMaterialException naming the file, when it is missing or holds no certificate
   */
  public static TrustBundle fromFile(Path caCertificates) {
    return new TrustBundle(requireNonNull(caCertificates, "caCertificates"));
  }

  Anchors anchors() {
    return files.current();
  }

  /** The CA certificates in use. */
  public List<X509Certificate> certificates() {
    return files.current().certificates();
  }

  /** The last reload error, or null when the last check succeeded or found nothing new. */
  public TlsMaterialException lastError() {
    return files.lastError();
  }

  /** Re-reads the file now; returns whether a new bundle is in use. Never throws for a bad file. */
  public boolean reload() {
    return files.reload();
  }

  /** Checks the file every {@code interval} on {@code scheduler}; cancel the result to stop. */
  public Scheduler.Cancellable watch(Scheduler scheduler, Duration interval) {
    return files.watch(scheduler, interval);
  }

  /**
   * Checks the file every {@code interval} on a daemon thread of its own, until {@link #close()}.
   */
  public TrustBundle watch(Duration interval) {
    files.watch(interval);
    return this;
  }

  /** Adds a listener for reloads and failed reloads. */
  public TrustBundle addListener(TlsMaterialListener listener) {
    files.addListener(listener);
    return this;
  }

  /** The watched file. */
  public Path file() {
    return files.files().get(0);
  }

  /** Stops watching. */
  @Override
  public void close() {
    files.close();
  }
}
