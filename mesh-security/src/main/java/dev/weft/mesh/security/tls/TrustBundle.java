package dev.weft.mesh.security.tls;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.security.internal.SafeText;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CA certificates trusted to sign peers' certificates, read from PEM files and re-read when a
 * file changes (a bad new file keeps the old bundle, and the error naming the file is logged and
 * reported). Shared by any number of {@link ReloadingTrustManager}s. Thread-safe.
 *
 * <p>A bundle holds CAs for any trust domain ({@link #fromFile(Path)}: the CAs may sign identities
 * in every trust domain), CAs per trust domain (SPIFFE federation: {@link Builder#caCertificates(
 * String, Path)}; a CA trusted for {@code a.test} cannot vouch for an identity in {@code b.test}),
 * or both: a trust domain with CAs of its own is verified against those only, the others against
 * the CAs for any trust domain. Every file is read in one go on each check, so a reload swaps all
 * of them at once.
 *
 * <p>Every certificate in a file must be a CA certificate (basicConstraints CA=true): a leaf
 * certificate as a trust anchor would let its holder be trusted without any CA having issued it,
 * and is refused with an error naming the file and the certificate's subject.
 */
public final class TrustBundle implements AutoCloseable {
  private final ReloadableFiles<Anchors> files;
  private final Path anyDomainFile;

  /** The CAs of one file, with their trust anchors. */
  record Scope(Path file, List<X509Certificate> certificates, Set<TrustAnchor> anchors) {
    static Scope of(Path file, List<X509Certificate> certificates) {
      Set<TrustAnchor> anchors = new HashSet<>();
      for (X509Certificate c : certificates) {
        if (c.getBasicConstraints() < 0) {
          throw new TlsMaterialException(
              file,
              file
                  + ": certificate "
                  + SafeText.quote(c.getSubjectX500Principal().getName())
                  + " (serial "
                  + c.getSerialNumber().toString(16)
                  + ") is not a CA certificate (no basicConstraints CA=true); a trust bundle may"
                  + " hold CA certificates only");
        }
        anchors.add(new TrustAnchor(c, null));
      }
      return new Scope(file, List.copyOf(certificates), Set.copyOf(anchors));
    }

    List<String> subjects() {
      return certificates.stream()
          .map(c -> SafeText.escape(c.getSubjectX500Principal().getName()))
          .toList();
    }
  }

  /**
   * The bundle's CAs as loaded together: those for any trust domain (null when there are none) and
   * those of single trust domains.
   */
  record Anchors(Scope anyDomain, Map<String, Scope> byTrustDomain) {
    /** The CAs that may sign an identity in {@code trustDomain} (null: not a SPIFFE ID). */
    Scope forTrustDomain(String trustDomain) {
      if (trustDomain != null && byTrustDomain.containsKey(trustDomain)) {
        return byTrustDomain.get(trustDomain);
      }
      return anyDomain;
    }

    List<X509Certificate> certificates() {
      List<X509Certificate> all = new ArrayList<>();
      if (anyDomain != null) {
        all.addAll(anyDomain.certificates());
      }
      for (Scope s : byTrustDomain.values()) {
        for (X509Certificate c : s.certificates()) {
          if (!all.contains(c)) {
            all.add(c);
          }
        }
      }
      return List.copyOf(all);
    }

    @Override
    public String toString() {
      List<String> parts = new ArrayList<>();
      if (anyDomain != null) {
        parts.add(
            anyDomain.certificates().size()
                + " CA certificate(s) "
                + anyDomain.subjects().stream().map(s -> "'" + s + "'").toList());
      }
      byTrustDomain.forEach(
          (domain, s) ->
              parts.add(
                  "trust domain "
                      + domain
                      + ": "
                      + s.certificates().size()
                      + " CA certificate(s) "
                      + s.subjects().stream().map(n -> "'" + n + "'").toList()));
      return String.join("; ", parts);
    }
  }

  private TrustBundle(Path anyDomainFile, Map<String, Path> perDomain) {
    this.anyDomainFile = anyDomainFile;
    List<Path> all = new ArrayList<>();
    if (anyDomainFile != null) {
      all.add(anyDomainFile);
    }
    all.addAll(perDomain.values());
    List<String> domains = List.copyOf(perDomain.keySet());
    this.files =
        new ReloadableFiles<>(
            "CA bundle",
            all,
            contents -> {
              int i = 0;
              Scope any = null;
              if (anyDomainFile != null) {
                any =
                    Scope.of(
                        anyDomainFile, PemFiles.parseCertificates(anyDomainFile, contents.get(i)));
                i++;
              }
              Map<String, Scope> byDomain = new LinkedHashMap<>();
              for (String d : domains) {
                Path f = perDomain.get(d);
                byDomain.put(d, Scope.of(f, PemFiles.parseCertificates(f, contents.get(i))));
                i++;
              }
              return new Anchors(any, Collections.unmodifiableMap(byDomain));
            },
            Anchors::toString);
  }

  /**
   * Loads a PEM file of CA certificates trusted for every trust domain.
   *
   * @throws TlsMaterialException naming the file, when it is missing, holds no certificate or holds
   *     a certificate that is not a CA
   */
  public static TrustBundle fromFile(Path caCertificates) {
    return new TrustBundle(requireNonNull(caCertificates, "caCertificates"), Map.of());
  }

  /** Starts a bundle of CAs for any trust domain and CAs per trust domain. */
  public static Builder builder() {
    return new Builder();
  }

  Anchors anchors() {
    return files.current();
  }

  /** Every CA certificate in use, for any trust domain or one. */
  public List<X509Certificate> certificates() {
    return files.current().certificates();
  }

  /**
   * The CA certificates that may sign identities in {@code trustDomain}: the domain's own, or else
   * those for any trust domain (empty when there are none).
   */
  public List<X509Certificate> certificates(String trustDomain) {
    Scope s = files.current().forTrustDomain(requireNonNull(trustDomain, "trustDomain"));
    return s == null ? List.of() : s.certificates();
  }

  /** The trust domains that have CAs of their own. */
  public Set<String> trustDomains() {
    return files.current().byTrustDomain().keySet();
  }

  /** The last reload error, or null when the last check succeeded or found nothing new. */
  public TlsMaterialException lastError() {
    return files.lastError();
  }

  /** Re-reads the files now; returns whether a new bundle is in use. Never throws for bad files. */
  public boolean reload() {
    return files.reload();
  }

  /** Checks the files every {@code interval} on {@code scheduler}; cancel the result to stop. */
  public Scheduler.Cancellable watch(Scheduler scheduler, Duration interval) {
    return files.watch(scheduler, interval);
  }

  /**
   * Checks the files every {@code interval} on a daemon thread of its own, until {@link #close()}.
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

  /** The file of CAs for any trust domain, or else the first per-domain file. */
  public Path file() {
    return anyDomainFile != null ? anyDomainFile : files.files().get(0);
  }

  /** Every watched file. */
  public List<Path> files() {
    return files.files();
  }

  /** Stops watching. */
  @Override
  public void close() {
    files.close();
  }

  /** Configures a {@link TrustBundle}. */
  public static final class Builder {
    private Path anyDomain;
    private final Map<String, Path> perDomain = new LinkedHashMap<>();

    private Builder() {}

    /** A PEM file of CAs trusted for every trust domain that has no CAs of its own. */
    public Builder caCertificates(Path file) {
      this.anyDomain = requireNonNull(file, "file");
      return this;
    }

    /**
     * A PEM file of the CAs of {@code trustDomain}: identities in that domain must chain to one of
     * these (and to no other CA of the bundle); these CAs vouch for no other domain.
     *
     * @throws IllegalArgumentException for an invalid trust domain, or one given twice
     */
    public Builder caCertificates(String trustDomain, Path file) {
      requireNonNull(trustDomain, "trustDomain");
      requireNonNull(file, "file");
      if (!SpiffeId.isValidTrustDomain(trustDomain)) {
        throw new IllegalArgumentException(
            SafeText.quote(trustDomain) + " is not a valid SPIFFE trust domain");
      }
      if (perDomain.putIfAbsent(trustDomain, file) != null) {
        throw new IllegalArgumentException(
            "trust domain "
                + trustDomain
                + " already has a CA bundle: "
                + perDomain.get(trustDomain));
      }
      return this;
    }

    /**
     * Loads the files.
     *
     * @throws IllegalStateException when no file was given
     * @throws TlsMaterialException naming the file, when one cannot be used
     */
    public TrustBundle build() {
      if (anyDomain == null && perDomain.isEmpty()) {
        throw new IllegalStateException("a trust bundle needs at least one CA file");
      }
      return new TrustBundle(
          anyDomain, Collections.unmodifiableMap(new LinkedHashMap<>(perDomain)));
    }
  }
}
