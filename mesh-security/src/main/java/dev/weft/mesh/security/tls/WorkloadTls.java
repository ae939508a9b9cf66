package dev.weft.mesh.security.tls;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.api.runtime.Scheduler;
import dev.weft.mesh.api.runtime.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The TLS side of one workload (process): its own certificate and key, the CA bundle it trusts, and
 * the trust domains it accepts, all watched for changes. Hands out the server context and, for each
 * cluster's {@link TlsSettings}, a client context (cached per settings).
 *
 * <p>For a cluster with mode {@code MUTUAL} and no files of its own, the client presents this
 * workload's certificate; with {@code SIMPLE}, none. Files named in the settings replace the
 * workload's (and are watched the same way). {@code subjectAltNames} become the identities the
 * server must present. Thread-safe.
 */
public final class WorkloadTls implements AutoCloseable {
  private final ReloadingKeyManager keyManager;
  private final TrustBundle trustBundle;
  private final Set<String> trustDomains;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private final Duration interval;
  private final SSLContext serverContext;
  private final Map<TlsSettings, SSLContext> clientContexts = new ConcurrentHashMap<>();
  private final Map<List<String>, ReloadingKeyManager> clusterKeyManagers =
      new ConcurrentHashMap<>();
  private final Map<String, TrustBundle> clusterBundles = new ConcurrentHashMap<>();
  private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();

  private WorkloadTls(Builder b) {
    Set<String> domains = new LinkedHashSet<>(b.trustDomains);
    if (!domains.isEmpty()) {
      // a trust domain given CAs of its own is trusted
      domains.addAll(b.perDomainCaCertificates.keySet());
    }
    this.trustDomains = Set.copyOf(domains);
    this.ticker = b.ticker;
    this.scheduler = b.scheduler;
    this.interval = b.interval;
    this.keyManager = watched(ReloadingKeyManager.fromFiles(b.certificateChain, b.privateKey));
    TrustBundle.Builder bundle = TrustBundle.builder();
    if (b.caCertificates != null) {
      bundle.caCertificates(b.caCertificates);
    }
    b.perDomainCaCertificates.forEach(bundle::caCertificates);
    this.trustBundle = watched(bundle.build());
    this.serverContext = TlsContexts.server(keyManager, trustManager(trustBundle, List.of()));
  }

  /** Starts a workload's TLS setup. */
  public static Builder builder() {
    return new Builder();
  }

  private ReloadingKeyManager watched(ReloadingKeyManager km) {
    owned.add(km);
    if (interval != null) {
      if (scheduler != null) {
        km.watch(scheduler, interval);
      } else {
        km.watch(interval);
      }
    }
    return km;
  }

  private TrustBundle watched(TrustBundle bundle) {
    owned.add(bundle);
    if (interval != null) {
      if (scheduler != null) {
        bundle.watch(scheduler, interval);
      } else {
        bundle.watch(interval);
      }
    }
    return bundle;
  }

  private ReloadingTrustManager trustManager(TrustBundle bundle, List<String> expectedServers) {
    return ReloadingTrustManager.builder(bundle)
        .trustDomains(trustDomains)
        .expectedServerIdentities(expectedServers)
        .ticker(ticker)
        .build();
  }

  /** This workload's key manager (for wrapping into other TLS stacks, such as Netty's). */
  public ReloadingKeyManager keyManager() {
    return keyManager;
  }

  /** The CA bundle this workload trusts (for any trust domain and per trust domain). */
  public TrustBundle trustBundle() {
    return trustBundle;
  }

  /** A trust manager over this workload's bundle for verifying clients (no expected identities). */
  public ReloadingTrustManager clientVerifier() {
    return trustManager(trustBundle, List.of());
  }

  /**
   * A trust manager over this workload's bundle for verifying servers that must present one of
   * {@code expectedIdentities} (empty: any identity the CAs vouch for).
   */
  public ReloadingTrustManager serverVerifier(List<String> expectedIdentities) {
    return trustManager(trustBundle, expectedIdentities);
  }

  /** The server context: presents this workload's certificate and verifies client certificates. */
  public SSLContext serverContext() {
    return serverContext;
  }

  /** Server parameters requiring a client certificate (mutual TLS). */
  public SSLParameters serverParameters() {
    return TlsContexts.mutualTlsParameters(serverContext);
  }

  /**
   * The client context for a cluster's TLS settings.
   *
   * @throws IllegalArgumentException for mode {@code DISABLED} (plaintext needs no context)
   * @throws TlsMaterialException when files named in the settings cannot be loaded
   */
  public SSLContext clientContext(TlsSettings settings) {
    requireNonNull(settings, "settings");
    if (settings.mode() == TlsSettings.Mode.DISABLED) {
      throw new IllegalArgumentException("TLS mode DISABLED needs no TLS context");
    }
    return clientContexts.computeIfAbsent(settings, this::newClientContext);
  }

  /** Client parameters for a cluster: the SNI from the settings, if any. */
  public SSLParameters clientParameters(TlsSettings settings) {
    SSLParameters p = clientContext(settings).getDefaultSSLParameters();
    if (!settings.sni().isEmpty()) {
      p.setServerNames(List.of(new SNIHostName(settings.sni())));
    }
    return p;
  }

  private SSLContext newClientContext(TlsSettings s) {
    return TlsContexts.client(clientKeyManager(s), clientTrustManager(s));
  }

  /**
   * The key manager a client presents for a cluster's TLS settings: for {@code MUTUAL}, this
   * workload's, or one over the certificate and key files the settings name (loaded once and
   * watched like the workload's); null for {@code SIMPLE}, which presents no certificate. For other
   * TLS stacks (Netty) that build their own contexts; {@link #clientContext} uses the same
   * managers.
   *
   * @throws IllegalArgumentException for mode {@code DISABLED}
   * @throws TlsMaterialException when files named in the settings cannot be loaded
   */
  public ReloadingKeyManager clientKeyManager(TlsSettings settings) {
    requireNonNull(settings, "settings");
    if (settings.mode() == TlsSettings.Mode.DISABLED) {
      throw new IllegalArgumentException("TLS mode DISABLED needs no key manager");
    }
    if (settings.mode() != TlsSettings.Mode.MUTUAL) {
      return null;
    }
    if (settings.certificateChain().isEmpty()) {
      return keyManager;
    }
    return clusterKeyManagers.computeIfAbsent(
        List.of(settings.certificateChain(), settings.privateKey()),
        files ->
            watched(ReloadingKeyManager.fromFiles(Path.of(files.get(0)), Path.of(files.get(1)))));
  }

  /**
   * The trust manager a client verifies servers with for a cluster's TLS settings: over this
   * workload's CA bundle, or the one the settings name (loaded once and watched), expecting the
   * settings' {@code subjectAltNames}.
   *
   * @throws IllegalArgumentException for mode {@code DISABLED}
   * @throws TlsMaterialException when files named in the settings cannot be loaded
   */
  public ReloadingTrustManager clientTrustManager(TlsSettings settings) {
    requireNonNull(settings, "settings");
    if (settings.mode() == TlsSettings.Mode.DISABLED) {
      throw new IllegalArgumentException("TLS mode DISABLED needs no trust manager");
    }
    TrustBundle bundle =
        settings.caCertificates().isEmpty()
            ? trustBundle
            : clusterBundles.computeIfAbsent(
                settings.caCertificates(), file -> watched(TrustBundle.fromFile(Path.of(file))));
    return trustManager(bundle, settings.subjectAltNames());
  }

  /** Stops watching every file. */
  @Override
  public void close() {
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        // closing a watcher only cancels tasks; nothing to report
      }
    }
  }

  /** Configures a {@link WorkloadTls}. */
  public static final class Builder {
    private Path certificateChain;
    private Path privateKey;
    private Path caCertificates;
    private final Map<String, Path> perDomainCaCertificates = new java.util.LinkedHashMap<>();
    private final Set<String> trustDomains = new LinkedHashSet<>();
    private Ticker ticker = Ticker.system();
    private Scheduler scheduler;
    private Duration interval;

    private Builder() {}

    /** This workload's certificate chain (PEM, leaf first) and private key. Required. */
    public Builder identity(Path certificateChain, Path privateKey) {
      this.certificateChain = requireNonNull(certificateChain, "certificateChain");
      this.privateKey = requireNonNull(privateKey, "privateKey");
      return this;
    }

    /**
     * The CA bundle (PEM) trusted for peers of every trust domain that has no CAs of its own (see
     * {@link #caCertificates(String, Path)}). This or a per-domain bundle is required.
     */
    public Builder caCertificates(Path caCertificates) {
      this.caCertificates = requireNonNull(caCertificates, "caCertificates");
      return this;
    }

    /**
     * The CAs (PEM) of one trust domain (SPIFFE federation): peers whose SPIFFE ID is in {@code
     * trustDomain} must chain to one of these and to no other CA, and these CAs vouch for no other
     * trust domain. When {@link #trustDomains(String...) trust domains} are listed, {@code
     * trustDomain} is added to them. May be given for several trust domains, with or without the
     * bundle for any trust domain.
     *
     * @throws IllegalArgumentException for an invalid trust domain or one given twice
     */
    public Builder caCertificates(String trustDomain, Path caCertificates) {
      requireNonNull(trustDomain, "trustDomain");
      requireNonNull(caCertificates, "caCertificates");
      if (!dev.weft.mesh.api.security.SpiffeId.isValidTrustDomain(trustDomain)) {
        throw new IllegalArgumentException(
            dev.weft.mesh.security.internal.SafeText.quote(trustDomain)
                + " is not a valid SPIFFE trust domain");
      }
      if (perDomainCaCertificates.putIfAbsent(trustDomain, caCertificates) != null) {
        throw new IllegalArgumentException(
            "trust domain " + trustDomain + " already has a CA bundle");
      }
      return this;
    }

    /** Peers must belong to one of these SPIFFE trust domains (default: any the CAs vouch for). */
    public Builder trustDomains(String... domains) {
      trustDomains.addAll(List.of(domains));
      return this;
    }

    /** The clock for certificate validity (default: the system clock). */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /** Checks every file every {@code interval} on a daemon thread (default: not watched). */
    public Builder watch(Duration interval) {
      this.interval = requireNonNull(interval, "interval");
      return this;
    }

    /** Checks every file every {@code interval} on {@code scheduler} (default: not watched). */
    public Builder watch(Scheduler scheduler, Duration interval) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      this.interval = requireNonNull(interval, "interval");
      return this;
    }

    /**
     * Loads the files.
     *
     * @throws TlsMaterialException naming the file, when one cannot be loaded
     * @throws IllegalStateException when the identity or CA files are not set
     */
    public WorkloadTls build() {
      if (certificateChain == null
          || (caCertificates == null && perDomainCaCertificates.isEmpty())) {
        throw new IllegalStateException(
            "a workload needs identity(certificateChain, privateKey) and caCertificates(...)");
      }
      for (String d : trustDomains) {
        if (!dev.weft.mesh.api.security.SpiffeId.isValidTrustDomain(d)) {
          throw new IllegalArgumentException("'" + d + "' is not a valid SPIFFE trust domain");
        }
      }
      return new WorkloadTls(this);
    }
  }
}
